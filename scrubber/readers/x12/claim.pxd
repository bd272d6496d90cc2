# Cython declarations for claim.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.values cimport Collector
from scrubber.readers.x12.loops cimport Billing, Subscriber, Patient
from scrubber.readers.x12.claim_parts cimport LineSegments, OtherPayerSegments
from scrubber.readers.x12.claim_walk cimport ClaimWalk
# Same-named Python imports in claim.py: these cimports make those calls C calls.
from scrubber.readers.x12.claim_parts cimport build_line, build_other
from scrubber.readers.x12.claim_walk cimport walk_claim
from scrubber.readers.x12.names cimport provider
from scrubber.readers.x12.values cimport element, lazy_locs, parse_amount
from scrubber.readers.x12.fast cimport new_claim, new_raw, new_source  # C calls, keywords resolved at build time

# Segment positions (elements.py): C constants, set in claim.py.
cdef Py_ssize_t SEG_NO, SEG_TEXT, SEG_ELEMENTS, SEGMENT_ID, CLM01, CLM02, CLM05, CLM05_1, CLM05_2, CLM05_3
cdef Py_ssize_t DTP02, DTP03, REF02


cdef class Envelope:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public object path, kind, strict, version, interchange, group, transaction, created, created_loc
    cdef public object delimiters, isa, gs, header


@cython.locals(kind=str, strict=bint, comp=str, col=Collector, clm=list, locs=dict, w=ClaimWalk, fields=dict,
               lines=list, service_lines=tuple, others=list, conditions=list, occurrences=list, values=list,
               procedures=list, op=OtherPayerSegments, ln=LineSegments)
cpdef tuple build_claim(list segs, Envelope env, Billing billing, Subscriber sub, Patient pat)

@cython.locals(e=list, parts=list, clm05=str, pos=str, fq=str, freq=str)
cdef tuple _read_clm(list clm, object clm_no, bint strict, str comp, Collector col, dict locs)

@cython.locals(els=list, e=list, key=str, q=str, attr=str, refs=dict)
cdef _claim_dates(ClaimWalk w, Collector col, dict fields, dict locs)

@cython.locals(ln=LineSegments, first=LineSegments, last=LineSegments)
cdef tuple _service_dates(list lines, tuple service_lines, dict fields, dict locs)

@cython.locals(op=OtherPayerSegments, sub_loop=str, what=str)
cdef _required_loops(ClaimWalk w, Collector col, object clm_no)

@cython.locals(providers=tuple)
cdef tuple _parties(Billing billing, Subscriber sub, Patient pat, list claim_names)

cpdef str _line_dtp03(object position)
