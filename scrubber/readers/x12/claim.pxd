# Cython declarations for claim.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.values cimport Collector
from scrubber.readers.x12.names cimport NameLoop
from scrubber.readers.x12.loops cimport Billing, Subscriber, Patient
from scrubber.readers.x12.claim_parts cimport LineSegments, OtherPayerSegments
# Same-named Python imports in claim.py: these cimports make those calls C calls.
from scrubber.readers.x12.claim_parts cimport build_line, build_other, read_hi
from scrubber.readers.x12.names cimport provider
from scrubber.readers.x12.values cimport element, lazy_locs, parse_amount


cdef class Envelope:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public object path, kind, strict, version, interchange, group, transaction, created, created_loc
    cdef public object delimiters, isa, gs, header


@cython.locals(seg=tuple, els=list, e=list, clm=list, sid=str, state=str, loop_state=str, kind=str, strict=bint,
               comp=str, col=Collector, locs=dict, dates=dict, refs=dict, fields=dict, diagnoses=list,
               conditions=list, occurrences=list, values=list, procedures=list, claim_names=list, others=list,
               lines=list, line=LineSegments, other=OtherPayerSegments, name=NameLoop, prov_map=dict,
               line_map=dict, other_map=dict, ranks=dict, code=str, sub_loop=str, parts=list, clm05=str, q=str,
               hi_count=Py_ssize_t, sv_id=str, ln=LineSegments, op=OtherPayerSegments, service_lines=tuple,
               pos=str, fq=str, freq=str, where=str, parent=str, key=str, attr=str, hit=tuple, j=Py_ssize_t,
               sv_req=tuple, dtp_req=tuple, req=tuple, first=LineSegments, last=LineSegments)
cpdef tuple build_claim(list segs, Envelope env, Billing billing, Subscriber sub, Patient pat)
from scrubber.readers.x12.fast cimport new_claim, new_raw, new_source  # C calls, keywords resolved at build time
from scrubber.readers.x12.claim_checks cimport all_present
cpdef str _line_dtp03(object position)
