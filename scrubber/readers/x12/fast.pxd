# Cython declarations for fast.py (pure Python mode): slot stores without the frozen __setattr__.
from cpython.object cimport PyObject_GenericSetAttr as _set
