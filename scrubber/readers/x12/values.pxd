# Cython declarations for values.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython


cdef class Collector:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public list findings
    cdef public object line

    cpdef add(self, str rule_id, str message, object path, object segment, tuple codes=*)


@cython.locals(v=str, n=Py_ssize_t)
cpdef object element(list els, Py_ssize_t i)

cpdef object parse_d8(object text)
cpdef object parse_amount(object text)

# Module-level helpers the other compiled modules call: cpdef so that a cimport (in their
# .pxd) makes each call a C call instead of a Python call through the module dict.
@cython.locals(n=long, ym=long, day=long, year=long, month=long)
cpdef object _d8(object text)
cpdef bint _is_plain_number(str text)
cpdef object _amount(object text)
cpdef object lazy_locs(object pairs, object prefix=*)
cpdef object field_locs(object table, object segments, object prefix)
cpdef object masked_locs(object table, object segments, object prefix, long mask)

from cpython.object cimport PyObject_GenericSetAttr as _set
