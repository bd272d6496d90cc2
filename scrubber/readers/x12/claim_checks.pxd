# Cython declarations for claim_checks.py (pure Python mode; see setup.py). Types only, no logic.
cimport cython


@cython.locals(n=Py_ssize_t, i=Py_ssize_t)
cpdef bint all_present(list e, tuple indexes) except -1
