# Cython declarations for transaction.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.loops cimport HLLoop, Billing, Subscriber, Patient
from scrubber.readers.x12.claim cimport build_claim, Envelope  # C calls (claim.pxd says why)
from scrubber.readers.x12.values cimport element
from scrubber.readers.x12.segments cimport segment


cdef class Transaction:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public object st_no, control
    cdef public Envelope env
    cdef public list into
    cdef public Py_ssize_t count, handed_on
    cdef public list findings, header, pending, claim
    cdef public bint header_checked, hold, streaming
    cdef public list texts
    cdef public Py_ssize_t first_no, claims_held
    cdef public dict hl_levels
    cdef public HLLoop billing, subscriber, patient, loop
    cdef public object budget
    cdef public Py_ssize_t max_segment, max_segments, over_from
    cdef public list claim_findings

    @cython.locals(sid=str, lim=tuple, els=list, n=Py_ssize_t, m=Py_ssize_t, k=Py_ssize_t, pos=Py_ssize_t)
    cpdef add(self, tuple seg)

    @cython.locals(segs=list, els=list, billing=Billing, sub=Subscriber, pat=Patient, findings=list)
    cpdef close_claim(self)

    @cython.locals(els=list)
    cpdef start_hl(self, tuple seg)

    @cython.locals(c=Py_UCS4, level=object)
    cpdef bint hold_text(self, str text, str el) except -1

    @cython.locals(claim_id=object, source=object, claim=object, findings=list, error=object, all_findings=tuple, out=list)
    cpdef list _hand_on_shared(self, list shared)
from scrubber.readers.x12.fast cimport new_record  # C calls, keywords resolved at build time
