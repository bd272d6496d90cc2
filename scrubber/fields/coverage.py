"""Derived fields on the ``coverage`` fact for the eligibility pack (``rules/eligibility``).

Why: each eligibility rule is one test on one field, and its message must say what the
eligibility file says and where. ``scrubber.fields.eligibility.EligibilityIndex.check`` gives the
status fields (its docstring lists them); ``enrich_coverage`` adds the file's side (the
person's name and birth date, the primary payer, the span places) and, as ``locs``, the claim
elements a finding points at (service date, 2010BA NM109, 2010BB NM109, NM103, DMG02, SBR01).
``scrubber.runsetup`` calls it for every claim when ``--eligibility`` files are given.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from scrubber.fields.eligibility import span_place
from scrubber.fields.payer import as_date
from scrubber.fields.registry import DeriveInput, derived_field


class CoverageFact(dict):
    """The coverage dict plus ``locs``: which claim element each eligibility finding points at.

    ``scrubber.engine.findings`` reads ``obj.locs[loc_field]`` of the fact a rule is about; a
    coverage finding is about the claim's member id, payer id, name, birth date, SBR01 or the
    service date the coverage is missing on, so those claim locations are kept here.
    """

    locs: Mapping[str, Any]

    def __init__(self, data: Mapping, locs: Mapping[str, Any]):
        super().__init__(data)
        self.locs = dict(locs)


def _payer_files(index) -> dict[str, str]:
    """payer id -> the files that list it, built once per index (not once per claim)."""
    if index is None:
        return {}
    cached = index.__dict__.get("_payer_files")
    if cached is None:
        by_payer: dict[str, set] = {}
        for span in index.spans:
            if span.payer_id and span.source_file:
                by_payer.setdefault(span.payer_id, set()).add(span.source_file)
        cached = index.__dict__["_payer_files"] = {p: ", ".join(sorted(f)) for p, f in by_payer.items()}
    return cached


def enrich_coverage(claim, coverage: Optional[Mapping], index) -> Optional[CoverageFact]:
    """``coverage`` (from ``index.check(claim)``) plus what the file says, and claim locations.

    Added fields: ``file_last_name``, ``file_first_name``, ``file_birth_date``, ``person_source``
    (the file's person compared with the patient); ``file_payer_order`` (another payer the file
    shows primary on the date, or the claim's payer listed secondary / tertiary, in words with its
    place); ``active_payer_source`` (the span of the payer that is active when the claim's is not);
    ``payer_files`` (the files that list the claim's payer).
    """
    if coverage is None:
        return None
    from scrubber.fields.eligibility import compared_person, covers, norm_member, patient_spans

    member = norm_member(claim.subscriber.member_id if claim.subscriber else None)
    spans = index.by_member.get(member, []) if (member and index is not None) else []
    payer = (claim.payer.payer_id or "").strip() if claim.payer else ""
    extra: dict = {}
    person = compared_person(claim, spans)
    extra.update(
        file_last_name=person.last_name if person else None,
        file_first_name=person.first_name if person else None,
        file_birth_date=person.birth_date.isoformat() if person and person.birth_date else None,
        person_source=span_place(person),
    )
    dos = as_date(coverage.get("dos"))
    active = [s for s in patient_spans(claim, spans) if s.active and dos is not None and covers(s, dos)]
    primary = next((s for s in active if s.responsibility == "P" and s.payer_id and s.payer_id != payer), None)
    other = next((s for s in active if s.payer_id and s.payer_id == coverage.get("active_payer_id")), None)
    extra["active_payer_source"] = span_place(other)
    if primary is not None:
        extra["file_payer_order"] = f"payer {primary.payer_id} primary ({span_place(primary)})"
    else:
        own = next((s for s in active if s.payer_id == payer and s.responsibility in ("S", "T")), None)
        word = {"S": "secondary", "T": "tertiary"}.get(own.responsibility if own else "", "")
        extra["file_payer_order"] = f"payer {payer} {word} ({span_place(own)})" if own else None
    extra["payer_files"] = _payer_files(index).get(payer)
    return CoverageFact({**coverage, **extra}, _claim_locs(claim, coverage))


def _claim_locs(claim, coverage: Mapping) -> dict:
    patient = claim.patient or claim.subscriber
    locs: dict = {}
    sub_locs = claim.subscriber.locs if claim.subscriber else {}
    pat_locs = patient.locs if patient else {}
    for key, src, name in (("member_id", sub_locs, "member_id"), ("last_name", pat_locs, "last_name"),
                           ("birth_date", pat_locs, "birth_date"),
                           ("payer_id", claim.payer.locs if claim.payer else {}, "payer_id"),
                           ("payer_responsibility", claim.locs, "payer_responsibility")):
        if name in src:
            locs[key] = src[name]
    dos = as_date(coverage.get("dos"))
    line = next((ln for ln in claim.lines if ln.date_from == dos and "date_from" in ln.locs), None)
    if line is not None:
        locs["dos"] = line.locs["date_from"]
    elif "service_from" in claim.locs:
        locs["dos"] = claim.locs["service_from"]
    return locs


COVERAGE_KEYS = {"status_date": "dos"}  # derived name -> key of the coverage dict, where they differ


def _cov(name: str, ftype: str, loc: str, doc: str, convert=None):
    key = COVERAGE_KEYS.get(name, name)

    def func(inp: DeriveInput):
        v = inp.obj.get(key) if isinstance(inp.obj, dict) else None
        return convert(v) if convert is not None else v

    func.__doc__ = doc
    func.__name__ = f"coverage_{name}"
    derived_field("coverage", name, type=ftype, loc_field=loc)(func)


for _name, _type, _loc, _doc, _conv in (
    ("status", "text", "dos", "active, ended, not-started, inactive, not-on-file or unknown, for the claim's payer", None),
    ("coverage_gap", "bool", "dos", "No coverage on the date of service: the span ended, has not started, or is inactive", None),
    ("not_on_file", "bool", "member_id", "The file covers the claim's payer but has no span of it for this member", None),
    ("on_file", "bool", "member_id", "The member id has any span in the files, any payer", None),
    ("payer_covered", "bool", "payer_id", "The files speak for the claim's payer", None),
    ("status_date", "date", "dos", "The date the status refers to: the first date of service without coverage", as_date),
    ("span_start", "date", "dos", "Start of the span the status rests on", as_date),
    ("span_end", "date", "dos", "End of the span the status rests on (missing when open)", as_date),
    ("span_source", "text", "dos", "Where that span is in the eligibility file (file:line or file: segment N)", None),
    ("payer_matches", "bool", "payer_id", "False when only another payer is active on the date", None),
    ("active_payer_id", "text", "payer_id", "The payer of the active span", None),
    ("active_payer_source", "text", "payer_id", "Where the other payer's active span is", None),
    ("name_matches", "bool", "last_name", "The patient's name agrees with the file's person", None),
    ("birth_date_matches", "bool", "birth_date", "The patient's birth date agrees with the file's person", None),
    ("file_last_name", "text", "last_name", "The last name the file has for the person", None),
    ("file_first_name", "text", "last_name", "The first name the file has for the person", None),
    ("file_birth_date", "date", "birth_date", "The birth date the file has for the person", as_date),
    ("person_source", "text", "last_name", "Where the file's person is", None),
    ("other_payer_primary", "bool", "payer_responsibility", "Another payer is primary on the date", None),
    ("primary_conflict", "bool", "payer_responsibility",
     "Billed as primary (SBR01 P) while the file shows another payer primary or this payer second", None),
    ("file_payer_order", "text", "payer_responsibility",
     "What the file says about payer order on the date, with where: 'payer X primary (file:line)'", None),
    ("payer_files", "text", "member_id", "The eligibility files that list the claim's payer", None),
):
    _cov(_name, _type, _loc, _doc, _conv)


@derived_field("coverage", "plan_name", type="text", loc_field="dos")
def coverage_plan_name(inp: DeriveInput):
    """The span's plan as the file names it, or 'not named' (messages never print '(none)')."""
    obj = inp.obj if isinstance(inp.obj, dict) else {}
    return obj.get("plan") or "not named"


@derived_field("coverage", "span_dates", type="text", loc_field="dos")
def coverage_span_dates(inp: DeriveInput):
    """The span in words: '2024-01-01 to 2025-03-31', 'from 2025-01-01, open-ended', 'until 2025-03-31'."""
    obj = inp.obj if isinstance(inp.obj, dict) else {}
    start, end = as_date(obj.get("span_start")), as_date(obj.get("span_end"))
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}, open-ended"
    if end:
        return f"until {end.isoformat()}"
    return "no dates given"


def _full_name(last, first) -> Optional[str]:
    return ", ".join(p for p in (last, first) if p) or None


@derived_field("coverage", "file_name", type="text", loc_field="last_name")
def coverage_file_name(inp: DeriveInput):
    """The file's person as 'LAST, FIRST'."""
    obj = inp.obj if isinstance(inp.obj, dict) else {}
    return _full_name(obj.get("file_last_name"), obj.get("file_first_name"))


@derived_field("coverage", "patient_name", type="text", loc_field="last_name")
def coverage_patient_name(inp: DeriveInput):
    """The claim's patient as 'LAST, FIRST' (2010CA, or 2010BA when the patient is the subscriber)."""
    p = inp.claim.patient or inp.claim.subscriber
    return _full_name(p.last_name, p.first_name) if p else None


@derived_field("coverage", "patient_birth_date", type="date", loc_field="birth_date")
def coverage_patient_birth_date(inp: DeriveInput):
    """The claim's patient's birth date (DMG02)."""
    p = inp.claim.patient or inp.claim.subscriber
    return p.birth_date if p else None
