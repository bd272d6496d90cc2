# Cython declarations for values.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython


cdef class Collector:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public list findings
    cdef public object line

    cpdef add(self, str rule_id, str message, object path, object segment, tuple codes=*)
    cpdef object amount(self, object text, object path, object segment)
    cpdef tuple date_value(self, object fmt, object text, object path, object segment)
    cpdef required(self, list els, tuple indexes, object loop, object segment)


@cython.locals(v=str, n=Py_ssize_t)
cpdef object element(list els, Py_ssize_t i)

cpdef object parse_d8(object text)
cpdef object parse_amount(object text)

# Module-level helpers the other compiled modules call: cpdef so that a cimport (in their
# .pxd) makes each call a C call instead of a Python call through the module dict.
@cython.locals(n=long, i=Py_ssize_t, c=Py_UCS4)
cpdef object _d8(str text)
@cython.locals(n=Py_ssize_t, i=Py_ssize_t, c=Py_UCS4, digits=Py_ssize_t, dots=Py_ssize_t, ascii_only=bint)
cpdef bint _is_plain_number(str text) except -1
cpdef object _amount(object text)
cpdef object lazy_locs(object pairs, object prefix=*)
cpdef object field_locs(object table, object segments, object prefix)

from cpython.object cimport PyObject_GenericSetAttr as _set
