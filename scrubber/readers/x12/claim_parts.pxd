# Cython declarations for claim_parts.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython
from scrubber.readers.x12.values cimport Collector
from scrubber.readers.x12.values cimport element, field_locs, masked_locs, parse_d8  # C calls
from scrubber.readers.x12.names cimport NameLoop, payer, person, provider


# Segment positions (elements.py): C constants, set in claim_parts.py.
cdef Py_ssize_t SEG_NO, SEG_ELEMENTS, LX01, SV101, SV102, SV103, SV104, SV105, SV107, SV201, SV202, SV203, SV204, SV205
cdef Py_ssize_t SV301, SV302, SV303, SV306, DTP01, DTP02, DTP03, REF02, AMT02, LIN02, LIN03, CTP04, CTP05
cdef Py_ssize_t SBR01, SBR02, SBR09, C_QUALIFIER, C_CODE, HI_DATE_FORMAT, HI_DATE, HI_AMOUNT, HI_POA
cdef class LineSegments:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public object position, number
    cdef public str prefix
    cdef public tuple lx, sv1, sv2, sv3, lin, ctp, prior_auth
    cdef public list dates, names


cdef class OtherPayerSegments:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public str prefix
    cdef public tuple sbr, amt_paid
    cdef public dict names


@cython.locals(m=Py_ssize_t, composite=str, parts=list, qual=str, mm=str, base=str, poa=object, table=dict,
               dx_segments=tuple)
cpdef read_hi(list els, object no, object k, str comp, Collector col, list diagnoses, list conditions,
              list occurrences, list values, list procedures)

cdef dict _DX_LOCS, _DX_POA_LOCS, _CODE_LOCS, _CODE_DATES_LOCS, _CODE_AMOUNT_LOCS, _PROCEDURE_DATE_LOCS
cdef list _DX_PREFIX

cdef str _hi_element_prefix(object k, Py_ssize_t m, str mm)

@cython.locals(parts=list)
cpdef tuple _procedure(str composite, str comp)

@cython.locals(p=str, e=list, parts=list, ptr=str, found=list, x=str, els=list, modifiers=tuple, pointers=tuple,
               table=dict)
cpdef object build_line(LineSegments ln, str kind, str comp, Collector col, bint strict)

cdef long _O_SBR, _O_PAID, _O_ADJUDICATED
cdef dict _OTHER_PAYER_LOCS

@cython.locals(p=str, mask=long, els=list, amt=list)
cpdef object build_other(OtherPayerSegments op, Collector col)
from scrubber.readers.x12.fast cimport new_code_entry, new_diagnosis, new_line, new_other_payer  # C calls, keywords resolved at build time
