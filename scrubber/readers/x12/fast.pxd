# Cython declarations for fast.py (pure Python mode): slot stores without the frozen __setattr__.
from cpython.ref cimport PyObject, Py_INCREF, Py_XDECREF


cdef extern from "Python.h":
    # CPython's member descriptor (a __slots__ entry): where in the object its value lives.
    ctypedef struct PyMemberDef:
        Py_ssize_t offset
    ctypedef struct PyMemberDescrObject:
        PyMemberDef* d_member


cdef inline int _fill(object o, tuple slots, tuple values) except -1:
    """``_fill_py`` in C: ``values[i]`` into the slot of ``slots[i]`` at its offset in ``o``.

    Only for slots that ``_slot_descriptors`` checked (member descriptors of ``type(o)``
    itself) on an object fresh from ``object.__new__``; the old value (NULL there) is released."""
    cdef Py_ssize_t i, n = len(slots)
    cdef PyObject** slot
    cdef object v
    if len(values) != n:
        raise TypeError(f"{len(values)} values for {n} slots")
    for i in range(n):
        slot = <PyObject**>((<char*><PyObject*>o) + (<PyMemberDescrObject*><PyObject*>slots[i]).d_member.offset)
        v = values[i]
        Py_INCREF(v)
        Py_XDECREF(slot[0])
        slot[0] = <PyObject*>v
    return 0
