# Cython declarations for values.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython


# The locs classes: C extension types when compiled (values.py says why); fields not
# visible from Python (the classes' methods and __reduce__ are the interface). Their
# final / no_gc directives are decorators in values.py (Cython ignores them here).
cdef class _Locs:
    pass


cdef class LazyLocs(_Locs):
    cdef dict _pairs
    cdef str _prefix


cdef class FieldLocs(_Locs):
    cdef dict _table
    cdef tuple _segments
    cdef str _prefix


cdef class MaskedLocs(_Locs):
    cdef dict _table
    cdef tuple _segments
    cdef str _prefix
    cdef long _mask


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
@cython.locals(o=LazyLocs)
cpdef LazyLocs lazy_locs(dict pairs, str prefix=*)
@cython.locals(o=FieldLocs)
cpdef FieldLocs field_locs(dict table, tuple segments, str prefix)
@cython.locals(o=MaskedLocs)
cpdef MaskedLocs masked_locs(dict table, tuple segments, str prefix, long mask)

