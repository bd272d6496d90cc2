"""The coverage check: what the eligibility files say about one claim, as the ``coverage`` fact.

``EligibilityIndex.check(claim)`` returns None when the files say nothing about
the claim (its member is not on file and its payer is not one the files cover);
otherwise a dict with these fields, each chosen so one eligibility rule is one
test on one field:

=====================  ==========================================================
field                  meaning
=====================  ==========================================================
``on_file``            the member id (2010BA NM109) has any span, any payer
``payer_covered``      the files speak for the claim's payer (2010BB NM109)
``status``             for the claim's payer on the date of service: ``active``;
                       ``ended`` (coverage ended before it), ``not-started``
                       (begins after it), ``inactive`` (EB01 6-8, or a termination
                       without end date); ``not-on-file`` (payer covered, member
                       has no span with it); ``unknown`` (payer not covered)
``coverage_gap``       status is ended, not-started or inactive  (rule: no coverage
                       on the date of service)
``not_on_file``        status is not-on-file  (rule: member not on file for a
                       payer the file covers)
``active_on_dos``      status is active
``dos``                the date the status refers to: the first date of service
                       without coverage, else the first date of service
``span_start``,        the span the status rests on (the active one, or the one
``span_end``, ``plan``  that ended / has not started), ISO dates; None if none
``span_source``        where that span is: ``file: segment N`` / ``file:line``
``payer_matches``      True when the claim's payer is active on the date; False
                       when only another payer is (rule: payer on the claim differs
                       from the payer of the active span); None when none is
``active_payer_id``    the payer of the active span (the other payer when False)
``name_matches``       the patient's last and first name agree with the file's
                       person (None when either side has no name)
``birth_date_matches`` the patient's birth date agrees (None when unknown)
``other_payer_primary`` the file shows a different payer primary on the date
``primary_conflict``   the claim is billed as primary (SBR01 P) but the file shows
                       another payer primary, or the claim's payer as secondary /
                       tertiary  (rule: claim billed as primary while the file
                       shows another payer primary)
``member_id``,         aliases in CoverageSpan's words for the engine's span-shaped
``payer_id``,          coverage fact: the claim's member id, ``active_payer_id``,
``start``, ``end``,    ``span_start``, ``span_end``, ``active_on_dos`` and the
``active``,            span's payer responsibility (P / S / T or None)
``responsibility``
=====================  ==========================================================

Member ids compare without spaces and dashes, upper-cased (the MBI is printed
with dashes on the card). A span without a payer id (a CSV row that left it
empty) counts as the claim's payer. The person compared for name and birth date
is the file's person with the claim patient's relationship (18 self when the
patient is the subscriber), else any person on that member id.

Public helpers (the eligibility pack's derived fields, ``fields/coverage.py``,
build the coverage fact's file-side fields from the same choices the check makes)::

    norm_member(member_id) -> str                       # the member id as compared
    covers(span, day) -> bool                           # the span covers the date (inclusive)
    span_place(span) -> "file:line" | "file: segment N (loop/seg)" | None
    service_dates(claim) -> [date]                      # the claim's distinct line dates
    patient_spans(claim, spans) -> [CoverageSpan]       # the patient's own spans on the member id
    compared_person(claim, spans) -> CoverageSpan|None  # the file's person the patient is compared with
"""
from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Iterable, Optional

from scrubber.fields.common import normalised_member_id
from scrubber.model import CoverageSpan

RELATIONSHIP_WORDS = {"SELF": "18", "SUBSCRIBER": "18", "SPOUSE": "01", "CHILD": "19", "DEPENDENT": "19"}
GAP_STATUSES = ("ended", "not-started", "inactive")


def norm_member(member_id: Optional[str]) -> str:
    """The member id as a 271 / 834 is matched on: ``common.normalised_member_id`` ("" when absent)."""
    return normalised_member_id(member_id) or ""


NAME_SUFFIXES = {"JR", "SR", "II", "III", "IV"}


def _tokens(name: Optional[str]) -> list[str]:
    """Upper-case letter runs without accents: "O'Brien-Smith Jr." -> ["O", "BRIEN", "SMITH", "JR"]."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    return re.findall(r"[A-Z]+", text)


def _norm_name(name: Optional[str]) -> str:
    """A last name for comparison: letters only, generational suffix dropped (SMITH JR == Smith)."""
    tokens = _tokens(name)
    if len(tokens) > 1 and tokens[-1] in NAME_SUFFIXES:
        tokens = tokens[:-1]
    return "".join(tokens)


def _norm_first(name: Optional[str]) -> str:
    """A first name for comparison: its first word (a middle name or initial may or may not be sent)."""
    tokens = _tokens(name)
    return tokens[0] if tokens else ""


def _norm_rel(rel: Optional[str]) -> Optional[str]:
    if not rel:
        return None
    rel = rel.strip().upper()
    return RELATIONSHIP_WORDS.get(rel, rel)


def covers(span: CoverageSpan, day: date) -> bool:
    """The span covers ``day`` (start and end inclusive; a missing end is open)."""
    return (span.start is None or span.start <= day) and (span.end is None or day <= span.end)


def _iso(d: Optional[date]) -> Optional[str]:
    return d.isoformat() if d else None


def span_place(span: Optional[CoverageSpan]) -> Optional[str]:
    """Where the span is written: ``file.csv:3`` (a CSV line) or ``file.x12: segment 23 (2110D/EB)``."""
    if span is None or span.source is None:
        return None
    if span.source.path.startswith("line "):
        return f"{span.source_file}:{span.source.segment}"
    return f"{span.source_file}: segment {span.source.segment} ({span.source.path})"


def service_dates(claim) -> list[date]:
    """The claim's distinct line dates of service, sorted (the claim's From date when no line has one)."""
    dates = sorted({d for ln in claim.lines for d in (ln.date_from,) if d})
    if not dates and claim.service_from:
        dates = [claim.service_from]
    return dates


class EligibilityIndex:
    """Coverage spans by member id, and the payers the files speak for."""

    def __init__(self, spans: Iterable[CoverageSpan] = (), covered_payers: Iterable[str] = ()):
        self.spans: list[CoverageSpan] = list(spans)
        self.covered_payers: set[str] = {p.strip() for p in covered_payers if p}
        self.by_member: dict[str, list[CoverageSpan]] = {}
        for span in self.spans:
            self.by_member.setdefault(norm_member(span.member_id), []).append(span)

    def __len__(self) -> int:
        return len(self.spans)

    def check(self, claim) -> Optional[dict]:
        member = norm_member(claim.subscriber.member_id if claim.subscriber else None)
        payer = (claim.payer.payer_id or "").strip() if claim.payer else ""
        spans = self.by_member.get(member, []) if member else []
        payer_covered = bool(payer) and payer in self.covered_payers
        if not spans and not payer_covered:
            return None
        person_spans = patient_spans(claim, spans)
        if payer:
            own_plain = [s for s in person_spans if (s.payer_id is None and s.responsibility is None) or s.payer_id == payer]
        else:  # a claim without a payer id (2010BB NM109) cannot differ from the file's payer
            own_plain = [s for s in person_spans if s.responsibility is None]
        dates = service_dates(claim)
        status, dos, span = "unknown", (dates[0] if dates else None), None
        if not own_plain:
            status = "not-on-file" if payer_covered else "unknown"
        elif dates:
            for d in dates:
                status, span = _status_on(own_plain, d)
                dos = d
                if status != "active":
                    break
        out = {
            "on_file": bool(spans),
            "payer_covered": payer_covered,
            "status": status,
            "coverage_gap": status in GAP_STATUSES,
            "not_on_file": status == "not-on-file",
            "active_on_dos": status == "active",
            "dos": _iso(dos),
            "span_start": _iso(span.start) if span else None,
            "span_end": _iso(span.end) if span else None,
            "plan": span.plan if span else None,
            "span_source": span_place(span),
        }
        out.update(self._payer_order(claim, person_spans, payer, status, dos))
        out.update(_person_match(claim, spans))
        # The span-shaped names the engine's coverage fact also reads (same values, CoverageSpan words).
        out.update(
            member_id=claim.subscriber.member_id if claim.subscriber else None,
            payer_id=out["active_payer_id"],
            start=out["span_start"],
            end=out["span_end"],
            active=out["active_on_dos"],
            responsibility=span.responsibility if span else None,
        )
        return out

    @staticmethod
    def _payer_order(claim, spans: list[CoverageSpan], payer: str, status: str, dos: Optional[date]) -> dict:
        active_on = [s for s in spans if s.active and dos is not None and covers(s, dos)]
        others = [s for s in active_on if s.payer_id and s.payer_id != payer and (payer or s.responsibility)]
        if status == "active":
            payer_matches, active_payer = True, payer or None
        elif others:
            payer_matches, active_payer = False, others[0].payer_id
        else:
            payer_matches, active_payer = None, None
        other_primary = any(s.responsibility == "P" for s in others)
        own_not_first = any(s.responsibility in ("S", "T") for s in active_on if s.payer_id == payer)
        billed_primary = (claim.payer_responsibility or "").upper() == "P"
        return {
            "payer_matches": payer_matches,
            "active_payer_id": active_payer,
            "other_payer_primary": other_primary,
            "primary_conflict": billed_primary and (other_primary or own_not_first),
        }


def _status_on(own: list[CoverageSpan], d: date) -> tuple[str, Optional[CoverageSpan]]:
    """Status of the claim's payer on one date, and the span it rests on."""
    for s in own:
        if s.active and covers(s, d):
            return "active", s
    for s in own:
        if not s.active and covers(s, d):
            return "inactive", s
    ended = [s for s in own if s.active and s.end is not None and s.end < d]
    later = [s for s in own if s.active and s.start is not None and s.start > d]
    if ended:
        return "ended", max(ended, key=lambda s: s.end)
    if later:
        return "not-started", min(later, key=lambda s: s.start)
    inactive = [s for s in own if not s.active]
    return "inactive", (inactive[0] if inactive else None)


def _patient_rel(claim) -> Optional[str]:
    patient = claim.patient or claim.subscriber
    if patient is None:
        return None
    return _norm_rel(patient.relationship) or ("18" if claim.patient is None or claim.patient == claim.subscriber else None)


def _names_agree(span: CoverageSpan, last: str, first: str) -> bool:
    """The span's person has the patient's last name (normalised) and a first name that agrees."""
    return bool(last) and _norm_name(span.last_name) == last and _first_names_agree(_norm_first(span.first_name), first)


def patient_spans(claim, spans: list[CoverageSpan]) -> list[CoverageSpan]:
    """The spans of the claim's patient among those on the member id (a dependent's own coverage
    may differ from the subscriber's); all of them when the file does not tell people apart."""
    patient = claim.patient or claim.subscriber
    if patient is None:
        return spans
    rel = _patient_rel(claim)
    narrowed = [s for s in spans if rel and _norm_rel(s.relationship) == rel] or spans
    last, first = _norm_name(patient.last_name), _norm_first(patient.first_name)
    return [s for s in narrowed if _names_agree(s, last, first)] or narrowed


def _compared_pool(claim, spans: list[CoverageSpan]) -> tuple[list[CoverageSpan], Optional[bool]]:
    """The file's spans for the person the patient is compared with, and whether the names agree.

    Candidates: the people with the patient's relationship, else those whose relationship the file
    does not say (a CSV without the column lists the member), else everyone. Among them the ones
    whose name agrees; when none does, every named one (names differ: ``False``). ``None`` when
    there are no names to compare.
    """
    patient = claim.patient or claim.subscriber
    rel = _patient_rel(claim)
    same_rel = [s for s in spans if rel and _norm_rel(s.relationship) == rel]
    candidates = same_rel or [s for s in spans if _norm_rel(s.relationship) is None] or list(spans)
    named = [s for s in candidates if s.last_name]
    last, first = _norm_name(patient.last_name), _norm_first(patient.first_name)
    if named and last:
        matched = [s for s in named if _names_agree(s, last, first)]
        return (matched or named), bool(matched)
    return candidates, None


def compared_person(claim, spans: list[CoverageSpan]) -> Optional[CoverageSpan]:
    """The file's span for the person the check compares the patient with (for messages that quote
    the file's name and birth date): the one with the patient's birth date when there is one, else
    the first with a birth date (the one that disagrees), else the first. None without spans."""
    patient = claim.patient or claim.subscriber
    if patient is None or not spans:
        return None
    pool, _ = _compared_pool(claim, spans)
    dated = [s for s in pool if s.birth_date]
    if patient.birth_date and dated:
        return next((s for s in dated if s.birth_date == patient.birth_date), dated[0])
    return pool[0] if pool else None


def _person_match(claim, spans: list[CoverageSpan]) -> dict:
    patient = claim.patient or claim.subscriber
    result = {"name_matches": None, "birth_date_matches": None}
    if patient is None or not spans:
        return result
    pool, result["name_matches"] = _compared_pool(claim, spans)
    dated = [s for s in pool if s.birth_date]
    if dated and patient.birth_date:
        result["birth_date_matches"] = any(s.birth_date == patient.birth_date for s in dated)
    return result


def _first_names_agree(on_file: str, on_claim: str) -> bool:
    """First names agree when equal, or when either side is missing (files often omit them)."""
    return not on_file or not on_claim or on_file == on_claim
