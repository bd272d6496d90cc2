"""``cython`` for the reader's modules: Cython's own module when compiling, a stand-in otherwise.

The reader's hot modules are plain Python that Cython compiles at install (setup.py). They
test ``cython.compiled`` to pick a C-level primitive (declared in their ``.pxd`` files) over
its Python equivalent, and may declare local types with ``@cython.locals``. Compiled, Cython
resolves these at build time; run as Python (no compiled build, or CLAIMSCRUB_PURE_READER=1)
this stand-in says ``compiled = False`` and its decorators change nothing, so Cython itself
need not be installed at run time.
"""


class cython:  # noqa: N801 - stands in for the module of that name
    compiled = False
    Py_ssize_t = int
    Py_UCS4 = str

    @staticmethod
    def locals(**_types):
        """``@cython.locals(name=type, ...)``: a type declaration for the compiler, nothing at run time."""
        return lambda func: func

    @staticmethod
    def boundscheck(_flag):
        """``@cython.boundscheck(False)``: a compiler directive, nothing at run time."""
        return lambda func: func

    wraparound = boundscheck

    @staticmethod
    def final(cls):
        """``@cython.final``: the compiled class has no subclasses; nothing at run time."""
        return cls

    @staticmethod
    def no_gc(cls):
        """``@cython.no_gc``: the compiled class is not tracked by the cycle collector; nothing at run time."""
        return cls

    @staticmethod
    def cclass(cls):
        """``@cython.cclass``: compiled, the class is an extension type (its fields in the .pxd); nothing at run time."""
        return cls
