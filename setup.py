"""Compiled X12 reader: the only thing setup.py adds to the declarative setup.cfg.

The hot modules of ``scrubber/readers/x12`` are plain Python files that Cython compiles
(pure Python mode; optional type declarations live in the ``.pxd`` files beside them).
The compiled build is an optimisation only: when Cython is missing, cythonize fails, or
the C compiler fails, the install still succeeds with the pure-Python modules and a
warning says so (``claimscrub --version`` tells which reader is in use). Set
``CLAIMSCRUB_NO_COMPILE=1`` to skip the build on purpose.
"""
from __future__ import annotations

import os
import sys

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The reader's hot path, in scrubber/readers/x12 (layout.py and rules.py
# are tables and run once at import: compiling them buys nothing and costs install time).
COMPILED_MODULES = ("segments", "reader", "transaction", "loops", "claim", "claim_parts", "names", "values", "fast", "claim_checks", "claim_walk")  # = scrubber.readers.x12.HOT_MODULES
PACKAGE_DIR = os.path.join("scrubber", "readers", "x12")


def _warn(what: str, exc: BaseException) -> None:
    print(f"WARNING: claimscrub: {what} ({type(exc).__name__}: {exc}); "
          "installing the pure-Python X12 reader (same results, slower)", file=sys.stderr)


def _extensions() -> list:
    if os.environ.get("CLAIMSCRUB_NO_COMPILE"):
        print("claimscrub: CLAIMSCRUB_NO_COMPILE is set; the X12 reader stays pure Python", file=sys.stderr)
        return []
    try:
        from Cython.Build import cythonize
    except Exception as exc:  # Cython absent (e.g. a build without build isolation)
        _warn("Cython is not available", exc)
        return []
    sources = [os.path.join(PACKAGE_DIR, name + ".py") for name in COMPILED_MODULES]
    try:
        return cythonize(
            sources,
            language_level=3,
            quiet=True,
            # Type hints stay hints: the compiled modules accept exactly what the Python ones do.
            # Speed-relevant types are declared in the .pxd files beside the modules.
            compiler_directives={"annotation_typing": False},
        )
    except Exception as exc:
        _warn("cythonize failed", exc)
        return []


class OptionalBuildExt(build_ext):
    """build_ext that never fails the install: a module that does not compile stays pure Python."""

    def initialize_options(self) -> None:
        super().initialize_options()
        self.parallel = min(os.cpu_count() or 1, 4)

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:
            _warn("building the compiled reader failed", exc)

    def build_extension(self, ext) -> None:
        if self.compiler.compiler_type == "unix":
            # -O2 runs as fast as Python's default -O3 here and, without debug info, compiles
            # the large generated C files in a third of the time (install time, CI time).
            ext.extra_compile_args = [*ext.extra_compile_args, "-O2", "-g0"]
        try:
            super().build_extension(ext)
        except Exception as exc:
            _warn(f"compiling {ext.name} failed", exc)


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
