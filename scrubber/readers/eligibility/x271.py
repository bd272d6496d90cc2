"""Coverage spans from a 271 eligibility response (005010X279A1; 004010X092A1 reads the same way).

What is read:

* 2100A ``NM1`` (information source, usually ``PR``): the payer; NM109 is its id.
* 2000C/2100C subscriber (HL03 22): ``NM1*IL`` (NM109 member id), ``DMG`` birth date,
  ``INS`` relationship, and person-level ``DTP`` dates.
* 2000D/2100D dependent (HL03 23): ``NM1*03`` name, ``DMG``, ``INS*N*<relationship>``;
  a dependent carries the subscriber's member id (dependents have none of their own).
* 2110C/2110D ``EB``: EB01 ``1``-``5`` is active coverage (``1`` active coverage,
  ``2``-``4`` capitated variants, ``5`` active - pending investigation), ``6``-``8``
  inactive (``6`` inactive, ``7``/``8`` inactive - pending). EB05 is the plan.
  Dates come from the EB's own ``DTP`` (291 plan as D8 or RD8, 346 plan begin,
  347 plan end, 307 / 356 / 357 eligibility, 348 / 349 benefit) and otherwise from
  the person's. Other EB01 values (co-pays, deductibles, limitations) are not coverage.
* EB01 ``R`` (other or additional payer) with a 2120 ``NM1`` of ``PRP`` / ``SEP`` /
  ``TTP`` (primary / secondary / tertiary payer) and an id in NM109 becomes a span of
  that other payer with its responsibility, so a claim billed as primary can be
  checked against the file's payer order. Without an id the other payer cannot be
  compared with the claim's and is skipped.

Repeated EBs for the same coverage (one per service type) collapse into one span.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from scrubber.model import CoverageSpan, Loc
from scrubber.readers.eligibility.dates import d8, period
from scrubber.readers.eligibility.x12tokens import Segment

ACTIVE = {"1", "2", "3", "4", "5"}
INACTIVE = {"6", "7", "8"}
OTHER_PAYER_ROLES = {"PRP": "P", "SEP": "S", "TTP": "T"}
START_QUALIFIERS = ("346", "291", "356", "307", "348")
END_QUALIFIERS = ("347", "291", "357", "307", "349")


@dataclass
class _Person:
    loop: str  # 2100C / 2100D
    member_id: Optional[str] = None
    last_name: Optional[str] = None
    first_name: Optional[str] = None
    birth_date: Optional[date] = None
    relationship: Optional[str] = None
    dates: dict = field(default_factory=dict)  # qualifier -> (start, end)


@dataclass
class _Benefit:
    seg: Segment
    person: _Person
    dates: dict = field(default_factory=dict)
    other_payer: Optional[tuple[str, str]] = None  # (id, responsibility)
    in_2120: bool = False
    bad_dates: bool = False  # a DTP of this EB could not be read: no span rather than a wrong one


def _dates(qualifier_dates: dict) -> tuple[Optional[date], Optional[date]]:
    start = end = None
    for q in START_QUALIFIERS:
        if q in qualifier_dates and qualifier_dates[q][0]:
            start = qualifier_dates[q][0]
            break
    for q in END_QUALIFIERS:
        if q in qualifier_dates:
            s, e = qualifier_dates[q]
            if q in ("347", "357", "349"):
                e = e or s  # an end qualifier with a single date is the end
            if e:
                end = e
                break
    return start, end


def read_271(segments: list[Segment], path: str) -> tuple[list[CoverageSpan], set[str], list[tuple[str, int]]]:
    """Spans, the payer ids this response speaks for, and problems (message, segment number)."""
    problems: list[tuple[str, int]] = []
    payer_id: Optional[str] = None
    covered: set[str] = set()
    level = ""
    expect_source = False
    subscriber: Optional[_Person] = None
    person: Optional[_Person] = None
    benefits: list[_Benefit] = []
    current: Optional[_Benefit] = None
    for seg in segments:
        sid = seg.id
        try:
            if sid == "HL":
                level, current = seg.el(3), None
                expect_source = level == "20"
                if level == "22":
                    subscriber = person = _Person("2100C")
                elif level == "23":
                    person = _Person("2100D", member_id=subscriber.member_id if subscriber else None)
                else:
                    person = None
            elif sid == "NM1" and expect_source and current is None:
                payer_id = seg.el(9) or None
                if payer_id:
                    covered.add(payer_id)
                expect_source = False
            elif sid == "NM1" and person is not None and current is None and seg.el(1) in ("IL", "03"):
                person.last_name = seg.el(3) or None
                person.first_name = seg.el(4) or None
                if seg.el(1) == "IL" and seg.el(9):
                    person.member_id = seg.el(9)
            elif sid == "NM1" and current is not None and current.in_2120 and seg.el(1) in OTHER_PAYER_ROLES:
                if seg.el(9):
                    current.other_payer = (seg.el(9), OTHER_PAYER_ROLES[seg.el(1)])
            elif sid == "DMG" and person is not None and current is None and seg.el(2):
                if seg.el(1) not in ("D8", ""):
                    raise ValueError(f"DMG01 '{seg.el(1)}' should be D8")
                person.birth_date = d8(seg.el(2))
            elif sid == "INS" and person is not None and current is None:
                person.relationship = seg.el(2) or None
            elif sid == "DTP" and (person is not None) and not (current and current.in_2120):
                target = current.dates if current is not None else person.dates
                target[seg.el(1)] = period(seg.el(2), seg.el(3))
            elif sid == "EB" and person is not None:
                current = _Benefit(seg, person)
                benefits.append(current)
            elif sid == "LS" and current is not None:
                current.in_2120 = True
            elif sid == "LE" and current is not None:
                current.in_2120 = False
        except ValueError as exc:
            problems.append((f"{sid}: {exc}", seg.number))
            if sid == "DTP" and current is not None:
                current.bad_dates = True
    return _spans(benefits, payer_id, path, problems), covered, problems


def _spans(benefits: list[_Benefit], payer_id: Optional[str], path: str, problems) -> list[CoverageSpan]:
    spans: list[CoverageSpan] = []
    seen: set = set()
    for b in benefits:
        status = b.seg.el(1)
        person = b.person
        if not person.member_id:
            if status in ACTIVE | INACTIVE:
                problems.append((f"EB*{status} in {person.loop} has no member id (NM1*IL NM109) to file it under", b.seg.number))
            continue
        if b.bad_dates:
            continue
        start, end = _dates({**person.dates, **b.dates})
        if status in ACTIVE or status in INACTIVE:
            span_payer, active, resp, plan = payer_id, status in ACTIVE, None, (b.seg.el(5) or None)
        elif status == "R" and b.other_payer is not None:
            span_payer, active, resp, plan = b.other_payer[0], True, b.other_payer[1], None
        else:
            continue
        key = (person.member_id, person.last_name, person.first_name, person.birth_date, span_payer, active, resp, start, end, plan)
        if key in seen:
            continue
        seen.add(key)
        spans.append(
            CoverageSpan(
                member_id=person.member_id,
                payer_id=span_payer,
                plan=plan,
                start=start,
                end=end,
                active=active,
                last_name=person.last_name,
                first_name=person.first_name,
                birth_date=person.birth_date,
                relationship=person.relationship or ("18" if person.loop == "2100C" else None),
                responsibility=resp,
                source=Loc(f"{person.loop.replace('2100', '2110')}/EB", b.seg.number),
                source_file=path,
            )
        )
    return spans
