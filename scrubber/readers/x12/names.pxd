# Cython declarations for names.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.values cimport Collector
from scrubber.readers.x12.values cimport lazy_locs, parse_d8  # C calls (claim.pxd says why)


cdef class NameLoop:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public str prefix
    cdef public tuple nm1, n3, n4, dmg, prv
    cdef public list refs, dtps

    cpdef take(self, str sid, tuple seg)


@cython.locals(e=list, locs=dict)
cpdef object address(str prefix, tuple n3, tuple n4)

@cython.locals(e=list, locs=dict, pe=list, rels=list, prv=tuple, prefix=str, qualifier=str, ident=str)
cpdef object provider(str role, NameLoop loop, tuple taxonomy_seg=*, str taxonomy_prefix=*)

@cython.locals(e=list, d=list, locs=dict, prefix=str)
cpdef object person(NameLoop loop, Collector col, object relationship=*, tuple relationship_loc=*)

@cython.locals(e=list)
cpdef object payer(NameLoop loop)

@cython.locals(els=list)
cdef list _nm1_elements(tuple nm1)
