"""Derived fields from CMS's physician fee schedule RVU file (``refdata import mpfs``).

The MPFS indicators decide which modifiers a procedure can take: its global period (modifier 57
is the decision for a *major* procedure, global ``090``), and whether bilateral (50), assistant
(80/81/82/AS), co-surgeon (62) and team (66) payment exist for it. Each field is the line's code
looked up in the release in force on the line's date; missing without an imported file, for a
code the file lacks, and for non-procedure lines, so no rule guesses (the rules reading them are
named in ``run.rules_idle`` until a file is imported: ``scrubber.idle``).
"""
from __future__ import annotations

from typing import Optional

from scrubber.fields.common import is_procedure_line, line_date
from scrubber.fields.registry import DeriveInput, derived_field


def _row(inp: DeriveInput):
    """The line's MPFS row; five fields ask for it, so it is kept in the claim's scratch per line."""
    ln, rd = inp.obj, inp.refdata
    if rd is None:
        return None
    memo = inp.batch.claim_memo if inp.batch is not None else {}
    key = ("mpfs.row", id(ln))
    hit = memo.get(key)
    if hit is not None and hit[0] is ln and hit[1] is rd:
        return hit[2]
    if not rd.mpfs_loaded():  # without an imported file nothing else matters
        row = None
    else:
        day = line_date(inp.claim, ln)
        row = None if day is None or not is_procedure_line(ln) or not ln.code else rd.mpfs(ln.code, day)
    memo[key] = (ln, rd, row)  # the "no file" answer too: asked once per line, not once per field
    return row


@derived_field("line", "mpfs_global_days", type="text", loc_field="code")
def mpfs_global_days(inp: DeriveInput) -> Optional[str]:
    """The code's MPFS global surgery period: 000, 010 (minor), 090 (major), MMM, XXX, YYY or ZZZ."""
    r = _row(inp)
    return r.glob_days if r else None


@derived_field("line", "mpfs_bilat_surg", type="text", loc_field="modifiers")
def mpfs_bilat_surg(inp: DeriveInput) -> Optional[str]:
    """MPFS bilateral surgery indicator (modifier 50): 0 no bilateral adjustment, 1 150%, 2 RVUs
    already bilateral, 3 each side at 100%, 9 concept does not apply."""
    r = _row(inp)
    return r.bilat_surg if r else None


@derived_field("line", "mpfs_asst_surg", type="text", loc_field="modifiers")
def mpfs_asst_surg(inp: DeriveInput) -> Optional[str]:
    """MPFS assistant-at-surgery indicator: 0 with documentation, 1 statutory restriction (not
    paid), 2 may be paid, 9 concept does not apply."""
    r = _row(inp)
    return r.asst_surg if r else None


@derived_field("line", "mpfs_co_surg", type="text", loc_field="modifiers")
def mpfs_co_surg(inp: DeriveInput) -> Optional[str]:
    """MPFS co-surgeons indicator (modifier 62): 0 not permitted, 1 with documentation, 2 permitted, 9."""
    r = _row(inp)
    return r.co_surg if r else None


@derived_field("line", "mpfs_team_surg", type="text", loc_field="modifiers")
def mpfs_team_surg(inp: DeriveInput) -> Optional[str]:
    """MPFS team surgery indicator (modifier 66): 0 not permitted, 1 with documentation, 2 permitted, 9."""
    r = _row(inp)
    return r.team_surg if r else None


@derived_field("line", "mpfs_edition", type="text", loc_field="code")
def mpfs_edition(inp: DeriveInput) -> Optional[str]:
    """The MPFS release (e.g. 2026Q1 = RVU26A) the line's indicators come from."""
    ln, rd = inp.obj, inp.refdata
    if rd is None or not rd.mpfs_loaded():  # first: the common case, no imported file
        return None
    day = line_date(inp.claim, ln)
    return None if day is None else rd.mpfs_edition(day)
