# Cython declarations for reader.py (pure Python mode; see setup.py). Types only, no logic.
# Transaction and SegmentStream as C types: _Reader.run uses them once per segment.
cimport cython
from scrubber.readers.x12.transaction cimport Transaction
from scrubber.readers.x12.segments cimport SegmentStream, segment


@cython.locals(n=Py_ssize_t, k=Py_ssize_t, c=Py_UCS4, c1=Py_UCS4)
cpdef object envelope_id(str text, str el)
