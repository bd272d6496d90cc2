"""The one list of reference-data importers: ``claimscrub refdata import KIND`` and the rule-case
store both dispatch through ``import_file``, so a new kind is added here once.

Each importer reads a file a user downloaded from CMS / CDC into the store and returns
``(edition label, setting or "", rows, imported?)``; importing the same file twice is a no-op.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, NamedTuple, Optional

from scrubber.refdata.store import Store


class Imported(NamedTuple):
    label: str
    where: str  # the NCCI / MUE setting (practitioner, hospital ...), "" for kinds without one
    rows: int
    done: bool  # False: this exact file was there already


def _ptp(store: Store, path: Path, edition: Optional[str], setting: Optional[str]) -> Imported:
    from scrubber.refdata.ncci import import_ptp

    return Imported(*import_ptp(store, path, edition, setting))


def _mue(store: Store, path: Path, edition: Optional[str], setting: Optional[str]) -> Imported:
    from scrubber.refdata.ncci import import_mue

    return Imported(*import_mue(store, path, edition))


def _icd10cm(store: Store, path: Path, edition: Optional[str], setting: Optional[str]) -> Imported:
    from scrubber.refdata.icd10cm import import_icd10cm

    label, rows, done = import_icd10cm(store, path, edition)
    return Imported(label, "", rows, done)


def _hcpcs(store: Store, path: Path, edition: Optional[str], setting: Optional[str]) -> Imported:
    from scrubber.refdata.hcpcs import import_hcpcs

    label, rows, done = import_hcpcs(store, path, edition)
    return Imported(label, "", rows, done)


def _mpfs(store: Store, path: Path, edition: Optional[str], setting: Optional[str]) -> Imported:
    from scrubber.refdata.mpfs import import_mpfs

    label, rows, done = import_mpfs(store, path, edition)
    return Imported(label, "", rows, done)


IMPORTERS: dict[str, Callable[[Store, Path, Optional[str], Optional[str]], Imported]] = {
    "ncci-ptp": _ptp,
    "mue": _mue,
    "icd10cm": _icd10cm,
    "hcpcs": _hcpcs,
    "mpfs": _mpfs,
}
KINDS = tuple(IMPORTERS)


def import_file(store: Store, kind: str, path: Path, edition: Optional[str] = None,
                setting: Optional[str] = None) -> Imported:
    """Import ``path`` as ``kind`` (one of ``KINDS``); raises RefDataError on a bad file."""
    return IMPORTERS[kind](store, path, edition, setting)
