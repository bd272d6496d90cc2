"""X12 837P / 837I reader (005010X222A1/A2, 005010X223A2/A3; 004010 and 837D read on a best-effort basis).

``read_x12(chunks, path)`` yields ClaimRecords and RunErrors for one file given as an
iterable of byte chunks (``first_segment=N`` for a part of a file that starts at an ISA
after N segments: segment numbers stay those of the whole file). Structure rule ids and the location-path scheme are documented
in ``rules.py``.

The hot modules are compiled by Cython at install time when a C compiler is there
(``setup.py``); the ``.py`` files are the source and the fallback, with the same results.
``COMPILED`` says which is in use; ``CLAIMSCRUB_PURE_READER=1`` in the environment
forces the pure-Python modules even where compiled ones are installed (tests compare the two).
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import warnings
from typing import Optional

PURE_ENV = "CLAIMSCRUB_PURE_READER"
_set_aside: Optional[str] = None  # why a compiled build beside the sources is not used
_HERE = os.path.dirname(os.path.abspath(__file__))


class _PureSourceFinder(importlib.abc.MetaPathFinder):
    """Import this package's submodules from their ``.py`` files, never from a compiled extension."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, leaf = fullname.rpartition(".")
        if package != __name__:
            return None
        source = os.path.join(_HERE, leaf + ".py")
        if not os.path.isfile(source):
            return None
        return importlib.util.spec_from_file_location(fullname, source)


# The modules setup.py compiles (the reader imports them all).
HOT_MODULES = ("segments", "reader", "transaction", "loops", "claim", "claim_parts", "names", "values", "fast", "claim_checks", "claim_walk")


def _extension_of(name: str) -> Optional[str]:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = os.path.join(_HERE, name + suffix)
        if os.path.isfile(path):
            return path
    return None


def _unusable_build() -> Optional[str]:
    """Why the compiled modules beside the sources must not be used, or None.

    The compiled modules share C-level types, so they are used all together or not at all:
    a build that compiled only some of them (one module failed) is set aside. In a checkout
    installed with ``pip install -e .`` the extensions sit beside the sources, and editing a
    ``.py`` (or pulling a change) without rebuilding would leave the old compiled code
    running: a source more than a second newer than its extension means that (an installed
    wheel writes both within the same moment)."""
    built = {name: _extension_of(name) for name in HOT_MODULES}
    if not any(built.values()):
        return None  # no compiled build at all: nothing to set aside
    missing = [name for name, path in built.items() if path is None]
    if missing:
        return f"the compiled build is incomplete: {missing[0]} did not compile"
    for name, path in built.items():
        built_at = os.path.getmtime(path)
        for source in (name + ".py", name + ".pxd"):
            src = os.path.join(_HERE, source)
            if os.path.isfile(src) and os.path.getmtime(src) > built_at + 1.0:
                return f"the compiled build is older than {source}"
    return None


if os.environ.get(PURE_ENV, "") not in ("", "0"):
    sys.meta_path.insert(0, _PureSourceFinder())
else:
    _set_aside = _unusable_build()
    if _set_aside is not None:
        warnings.warn(f"claimscrub: {_set_aside}; using the pure-Python X12 reader "
                      "(rebuild with `pip install -e .` or `python setup.py build_ext --inplace`)",
                      RuntimeWarning, stacklevel=2)
        sys.meta_path.insert(0, _PureSourceFinder())

try:
    from scrubber.readers.x12.reader import read_x12  # noqa: E402
except ImportError as exc:  # a compiled build that does not load here (other ABI, missing symbol)
    if any(isinstance(f, _PureSourceFinder) for f in sys.meta_path):
        raise
    _set_aside = f"the compiled build does not load ({exc})"
    warnings.warn(f"claimscrub: {_set_aside}; using the pure-Python X12 reader", RuntimeWarning, stacklevel=2)
    for _name in [m for m in sys.modules if m.startswith(__name__ + ".")]:
        del sys.modules[_name]
    sys.meta_path.insert(0, _PureSourceFinder())
    from scrubber.readers.x12.reader import read_x12  # noqa: E402
# True when every one of them is a Cython-compiled extension (see setup.py).
COMPILED: bool = all(not getattr(sys.modules.get(f"{__name__}.{name}"), "__file__", ".py").endswith(".py")
                     for name in HOT_MODULES)


def implementation() -> str:
    """One line for ``claimscrub --version`` and run records: which X12 reader this is."""
    if COMPILED:
        return "X12 reader: compiled (Cython)"
    if os.environ.get(PURE_ENV, "") not in ("", "0"):
        return f"X12 reader: pure Python ({PURE_ENV} is set)"
    if _set_aside is not None:
        return f"X12 reader: pure Python ({_set_aside})"
    return "X12 reader: pure Python (no compiled build installed)"


__all__ = ["read_x12", "COMPILED", "implementation"]
