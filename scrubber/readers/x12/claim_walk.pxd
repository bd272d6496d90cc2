# Cython declarations for claim_walk.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.values cimport Collector
from scrubber.readers.x12.names cimport NameLoop
from scrubber.readers.x12.claim_parts cimport LineSegments, OtherPayerSegments
# Same-named Python imports in claim_walk.py: these cimports make those calls C calls.
from scrubber.readers.x12.claim_parts cimport read_hi
from scrubber.readers.x12.values cimport element
from scrubber.readers.x12.claim_checks cimport all_present

# Loop ids and segment positions: C constants (their values are set in claim_walk.py).
cdef int LOOP_2300, LOOP_2310, LOOP_2320, LOOP_2330, LOOP_2400, LOOP_2410, LOOP_2420, LOOP_2430, LOOP_2440
cdef Py_ssize_t SEG_ELEMENTS, SEGMENT_ID, DTP01, REF01, REF02, AMT01, NM101, NM102, LX01, SBR01, SBR02, SBR09
cdef Py_ssize_t CL101, CL102, CL103
cdef dict _REQ, _MAX_LINES, _PARENT, _RANKS, _LINE_SUBLOOPS
cdef str SERVICE_DATE
cdef tuple _CL1_FIELDS
cdef list _PAD


# No __dict__, final, cdef handlers: each handler call is a direct C call, never looked up.
@cython.final
cdef class ClaimWalk:
    cdef public str kind, comp, sv_id
    cdef public bint strict
    cdef public Collector col
    cdef public dict locs, fields, dates, refs, prov_map, line_map, other_map, ranks
    cdef public list diagnoses, conditions, occurrences, values, procedures, claim_names, others, lines
    cdef public LineSegments line
    cdef public OtherPayerSegments other
    cdef public NameLoop name
    cdef public int state
    cdef public Py_ssize_t rank, hi_count
    cdef public tuple sv_req, dtp_req

    @cython.locals(els=list, line=LineSegments, col=Collector, limit=Py_ssize_t)
    cdef start_line(self, tuple seg)
    @cython.locals(els=list, other=OtherPayerSegments)
    cdef start_other_payer(self, tuple seg)
    @cython.locals(els=list, code=str, line=LineSegments, other=OtherPayerSegments, hit=tuple, loop_id=str, role=str,
                   sub_loop=str, name=NameLoop)
    cdef start_name(self, tuple seg)
    @cython.locals(line=LineSegments)
    cdef start_line_subloop(self, str sid, tuple seg)
    cdef _enter(self, int loop, Py_ssize_t rank)
    cdef _enter_name(self, int loop, NameLoop name)
    cdef _bad_entity(self, str code, str where, object no, int loop)
    @cython.locals(els=list, state=int, strict=bint, loop=int, req=tuple)
    cdef take(self, str sid, tuple seg)
    @cython.locals(els=list, q=str, e=list, i=Py_ssize_t, attr=str, path=str)
    cdef take_2300(self, str sid, tuple seg)
    @cython.locals(els=list, line=LineSegments, strict=bint, kind=str)
    cdef take_2400(self, str sid, tuple seg)
    @cython.locals(state=int, line=LineSegments, where=str)
    cdef _misplaced(self, str sid, object no)
    @cython.locals(line=LineSegments)
    cdef str _prefix(self, int loop)


@cython.locals(w=ClaimWalk, seg=tuple, els=list, sid=str, j=Py_ssize_t, sv_id=str, sv_req=tuple, dtp_req=tuple)
cpdef ClaimWalk walk_claim(list segs, str kind, bint strict, str comp, Collector col, dict locs)
