"""Reference data: code sets and edit tables behind one look-up API.

Open it with ``open_refdata(data_dir=None) -> RefData``. Nothing is read until
the first look-up, so importing this package costs nothing at start-up.
The store lives in the data directory (``data_dir`` > ``CLAIMSCRUB_DATA_DIR``
> ``$XDG_DATA_HOME/claimscrub`` > ``~/.local/share/claimscrub``) as one SQLite
file; ``claimscrub refdata import KIND FILE`` fills it, ``claimscrub refdata
list`` shows it.

Codes are given and returned without dots (X12 form ``E119``); look-ups
accept dotted codes too. ``dos`` (date of service) is a ``datetime.date``,
or a string ``YYYY-MM-DD`` / ``YYYYMMDD``.

RefData API
-----------
ICD-10-CM (built in: CDC tabular April 1, 2026, from the simple-icd-10-cm
package; other fiscal years via ``refdata import icd10cm``):

- ``icd10cm_valid(code, dos) -> bool``: the code (header or billable) exists
  in the edition in force on ``dos``.
- ``icd10cm_billable(code, dos) -> bool``: valid and billable (not a header).
- ``icd10cm_title(code, dos=None) -> str | None``.
- ``icd10cm_in_set(code, set_name) -> bool`` for ``newborn``, ``pediatric``,
  ``maternity``, ``adult``, ``female``, ``male``, ``manifestation`` (titles
  "in diseases classified elsewhere" and codes with a mandatory code-first
  note) and ``manifestation-title`` (the titles only: the strict guideline
  test). Derivations: docs/refdata.md.
- ``icd10cm_tags(code) -> frozenset[str]``: every set above the code is in.
- ``excludes1(code_a, code_b) -> bool``: an Excludes1 note pairs them (either
  direction; a note on a category applies to its descendants).
- ``icd10cm_edition(dos) -> str``: the edition label used for ``dos``.
- ``undot(code)``, ``add_dot(code)``: ``E11.9`` <-> ``E119``.

NCCI and MUE (imported CMS files; ``setting`` is ``practitioner`` or
``hospital``, MUE also ``dme``):

- ``ptp_edit(col1, col2, dos, setting="practitioner") -> PtpEdit | None``:
  the edit in force on ``dos`` (effective <= dos < deletion date).
- ``ptp_column2_edits(col1, dos, setting="practitioner") -> list[PtpEdit]``:
  every edit in force whose column 1 is ``col1``.
- ``ptp_loaded(setting="practitioner") -> bool``.
- ``mue(code, dos, setting="practitioner") -> Mue | None`` (``value``,
  ``mai`` 1/2/3, ``rationale``).
- ``mue_loaded(setting="practitioner") -> bool``.

MPFS (the CMS physician fee schedule RVU file, ``refdata import mpfs PPRRVU...csv``):

- ``mpfs(code, dos, modifier="") -> MpfsRow | None``: ``status``, ``glob_days`` (000, 010,
  090, MMM, XXX, YYY, ZZZ), ``mult_proc``, ``bilat_surg``, ``asst_surg``, ``co_surg``,
  ``team_surg`` of the release in force on ``dos``; ``mpfs_loaded()``, ``mpfs_edition(dos)``.

HCPCS, place of service, modifiers:

- ``hcpcs_valid(code, dos) -> bool | None``: None when no HCPCS file is
  imported or the code is CPT-shaped (the CMS file holds Level II only).
- ``hcpcs_description(code) -> str | None`` (Level II only).
- ``procedure_code_shape_ok(code) -> bool``: ``NNNNN``, ``ANNNN``, ``NNNNF``, ``NNNNT``.
- ``pos_valid(code) -> bool``, ``pos_name(code) -> str | None``.
- ``modifier_known(mod) -> bool``, ``modifier_ncci_associated(mod) -> bool``,
  ``modifier_meaning(mod) -> str | None``, ``modifiers_complete() -> bool``
  (True once an imported HCPCS file supplies every Level II modifier; the
  built-in table alone is a curated subset, so "unknown modifier" without
  it should be a warning).

Bookkeeping: ``editions() -> list[{"kind", "edition", "sha256"}]`` for the
run record (``kind`` is ``icd10cm``, ``hcpcs``, ``ncci-ptp:practitioner``,
``ncci-ptp:hospital``, ``mue:practitioner`` ..., ``pos``, ``modifiers``); ``RefDataError`` (with ``file`` and ``line``) for a bad
reference file or store.
"""
from __future__ import annotations

from typing import Optional

from scrubber.refdata.errors import RefDataError

__all__ = ["open_refdata", "RefData", "RefDataError", "PtpEdit", "Mue", "add_dot", "undot"]


def undot(code: str) -> str:
    """``E11.9`` -> ``E119`` (X12 form); also trims blanks and upper-cases."""
    return code.strip().upper().replace(".", "")


def add_dot(code: str) -> str:
    """``E119`` -> ``E11.9``; a three-character category stays as it is."""
    c = undot(code)
    return c if len(c) <= 3 else f"{c[:3]}.{c[3:]}"


def open_refdata(data_dir: Optional[str] = None) -> "RefData":
    """A lazy handle on the store: the database opens at the first look-up."""
    from scrubber.refdata.api import RefData

    return RefData(data_dir)


def __getattr__(name: str):
    if name in ("RefData", "PtpEdit", "Mue"):
        from scrubber.refdata import api

        return getattr(api, name)
    raise AttributeError(name)
