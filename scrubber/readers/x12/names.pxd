# Cython declarations for names.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.values cimport Collector
from scrubber.readers.x12.values cimport masked_locs, parse_d8  # C calls (claim.pxd says why)


cdef class NameLoop:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public str prefix
    cdef public tuple nm1, n3, n4, dmg, prv
    cdef public list refs, dtps

    cpdef take(self, str sid, tuple seg)


# The MaskedLocs bits and tables: C globals, so building a mask is C arithmetic.
cdef long _A_N3, _A_LINE2, _A_N4
cdef long _V_NAME, _V_FIRST, _V_NPI, _V_TAX_NM1, _V_TAX_REF, _V_TAXONOMY, _V_TAXONOMY_HL
cdef long _P_NAME, _P_FIRST, _P_MIDDLE, _P_MEMBER, _P_DMG, _P_SEX, _P_REL_SBR, _P_REL_PAT
cdef dict _ADDRESS_LOCS, _PROVIDER_LOCS, _PERSON_LOCS, _PAYER_LOCS, _HL_TAXONOMY_LOCS

@cython.locals(table=dict)
cdef dict _hl_taxonomy_locs(str hl_prefix)

@cython.locals(e=list, mask=long)
cpdef object address(str prefix, tuple n3, tuple n4)

@cython.locals(e=list, pe=list, rels=list, prv=tuple, prefix=str, qualifier=str, ident=str, table=dict, mask=long,
               taxonomy_bit=long)
cpdef object provider(str role, NameLoop loop, tuple taxonomy_seg=*, str taxonomy_prefix=*)

@cython.locals(e=list, d=list, prefix=str, mask=long, rel_id=str)
cpdef object person(NameLoop loop, Collector col, object relationship=*, tuple relationship_seg=*)

@cython.locals(e=list)
cpdef object payer(NameLoop loop)

@cython.locals(els=list)
cdef list _nm1_elements(tuple nm1)
from scrubber.readers.x12.fast cimport new_address, new_payer, new_person, new_provider  # C calls, keywords resolved at build time
