# Cython declarations for loops.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.values cimport Collector
from scrubber.readers.x12.names cimport NameLoop
from scrubber.readers.x12.names cimport payer, person, provider  # C calls (claim.pxd says why)
from scrubber.readers.x12.values cimport element


cdef class HLLoop:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public str level
    cdef public object hl_id, parent_id, _parsed
    cdef public list segments, findings

    cpdef parsed(self, bint strict)


cdef class Billing:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public tuple providers, raw
    cdef public list findings


cdef class Subscriber:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public object person, payer, responsibility, filing_indicator, _as_patient
    cdef public dict locs
    cdef public list findings
    cdef public tuple raw

    cpdef object as_patient(self)


cdef class Patient:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public object person
    cdef public list findings
    cdef public tuple raw


@cython.locals(seg=tuple, els=list, sid=str, own=dict, names=dict, current=NameLoop, current_name=str, ranks=dict,
               subloops=dict, name=str, sub=str, req=tuple)
cpdef tuple _walk(HLLoop loop, bint strict, Collector col)

@cython.locals(col=Collector, own=dict, names=dict, providers=list, bp=NameLoop, pay_to=NameLoop)
cpdef Billing _billing(HLLoop loop, bint strict)

@cython.locals(col=Collector, own=dict, names=dict, sbr=tuple, els=list, locs=dict, sub=NameLoop, pay=NameLoop)
cpdef Subscriber _subscriber(HLLoop loop, bint strict)

@cython.locals(col=Collector, own=dict, names=dict, pat=tuple, pl=NameLoop)
cpdef Patient _patient(HLLoop loop, bint strict)
from scrubber.readers.x12.claim_checks cimport all_present
