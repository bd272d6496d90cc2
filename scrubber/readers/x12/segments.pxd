# Cython declarations for segments.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython


cdef class SegmentStream:
    cdef dict __dict__  # attributes added to the .py but not declared here still work (slower)
    cdef public object _chunks, _decoder, delimiters
    cdef public bint _eof
    cdef public Py_ssize_t count
    cdef public list problems, lost_claims
    cdef public Py_ssize_t max_segment, bytes_read, cut_skipped, cut_lost


cpdef tuple segment(object no, str text, str el)
cpdef str _drop_breaks(str text)
