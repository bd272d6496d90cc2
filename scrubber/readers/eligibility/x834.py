"""Coverage spans from an 834 benefit enrollment file (005010X220A1).

What is read:

* 1000B ``N1*IN`` (insurer): the payer; N104 is its id (N103 FI, XV or 94).
* 2000 ``INS``: INS01 ``Y`` subscriber / ``N`` dependent, INS02 relationship
  (18 self, 01 spouse, 19 child, ...), INS03 maintenance type (021 addition,
  024 cancellation or termination, ...). ``REF*0F`` is the subscriber number:
  the member id claims carry in 2010BA NM109 (dependents share it).
* 2100A ``NM1*IL`` (or ``NM1*74``, corrected insured) name (NM109 is used as member
  id only when REF*0F is absent), ``DMG`` birth date. Only 2100A's ``DMG`` counts: the
  ``DMG`` after 2100B ``NM1*70`` (prior incorrect insured) is the old, wrong one.
* 2300 ``HD``: one span per health coverage; HD01 ``024`` is a termination; HD04
  is the plan; ``DTP*348`` benefit begin and ``DTP*349`` benefit end (else the member's
  2000 ``DTP*356`` / ``357`` eligibility begin / end). A termination
  with an end date is coverage up to that date; without one it is inactive.
* 2320 ``COB``: COB01 ``P`` / ``S`` / ``T`` is the other payer's responsibility
  and 2330 ``NM1*IN`` NM109 its id; it becomes a span of that payer (dates from
  ``DTP*344`` / ``345`` coordination of benefits begin / end when present).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from scrubber.model import CoverageSpan, Loc
from scrubber.readers.eligibility.dates import d8, period
from scrubber.readers.eligibility.x12tokens import Segment


@dataclass
class _Member:
    ins: Segment
    member_id: Optional[str] = None
    name_id: Optional[str] = None
    last_name: Optional[str] = None
    first_name: Optional[str] = None
    birth_date: Optional[date] = None
    relationship: Optional[str] = None
    terminated: bool = False
    eligibility_begin: Optional[date] = None  # 2000 DTP*356, used when an HD has no DTP*348
    eligibility_end: Optional[date] = None  # 2000 DTP*357, used when an HD has no DTP*349
    coverages: list = field(default_factory=list)  # _Coverage
    cobs: list = field(default_factory=list)  # _Cob


@dataclass
class _Coverage:
    hd: Segment
    start: Optional[date] = None
    end: Optional[date] = None


@dataclass
class _Cob:
    seg: Segment
    responsibility: str
    payer_id: Optional[str] = None
    start: Optional[date] = None
    end: Optional[date] = None


def _single(seg: Segment) -> date:
    start, end = period(seg.el(2), seg.el(3))
    return start


def read_834(segments: list[Segment], path: str) -> tuple[list[CoverageSpan], set[str], list[tuple[str, int]]]:
    """Spans, the payer ids this file speaks for, and problems (message, segment number)."""
    problems: list[tuple[str, int]] = []
    payer_id: Optional[str] = None
    members: list[_Member] = []
    member: Optional[_Member] = None
    coverage: Optional[_Coverage] = None
    cob: Optional[_Cob] = None
    in_member_name = False  # inside 2100A (NM1*IL / NM1*74), where the member's own DMG is
    for seg in segments:
        sid = seg.id
        try:
            if sid == "N1" and member is None and seg.el(1) == "IN":
                payer_id = seg.el(4) or None
            elif sid == "INS":
                in_member_name = False
                member = _Member(seg, relationship=seg.el(2) or None, terminated=seg.el(3) == "024")
                members.append(member)
                coverage, cob = None, None
            elif member is None:
                continue
            elif sid == "REF" and seg.el(1) == "0F" and coverage is None:
                member.member_id = seg.el(2) or None
            elif sid == "NM1" and seg.el(1) in ("IL", "74") and coverage is None and cob is None:
                member.last_name = seg.el(3) or None
                member.first_name = seg.el(4) or None
                member.name_id = seg.el(9) or None
                in_member_name = True
            elif sid == "NM1":
                in_member_name = False
                if cob is not None and seg.el(1) == "IN":
                    cob.payer_id = seg.el(9) or None
            elif sid == "DMG" and in_member_name and seg.el(2):
                member.birth_date = d8(seg.el(2))
            elif sid == "HD":
                in_member_name = False
                coverage, cob = _Coverage(seg), None
                member.coverages.append(coverage)
            elif sid == "COB":
                in_member_name = False
                cob, coverage = _Cob(seg, seg.el(1)), None
                member.cobs.append(cob)
            elif sid == "DTP" and coverage is None and cob is None and seg.el(1) in ("356", "357"):
                if seg.el(1) == "356":
                    member.eligibility_begin = _single(seg)
                else:
                    member.eligibility_end = _single(seg)
            elif sid == "DTP" and coverage is not None and seg.el(1) in ("348", "349"):
                if seg.el(1) == "348":
                    coverage.start = _single(seg)
                else:
                    coverage.end = _single(seg)
            elif sid == "DTP" and cob is not None and seg.el(1) in ("344", "345"):
                if seg.el(1) == "344":
                    cob.start = _single(seg)
                else:
                    cob.end = _single(seg)
        except ValueError as exc:
            problems.append((f"{sid}: {exc}", seg.number))
    return _spans(members, payer_id, path, problems), ({payer_id} if payer_id else set()), problems


def _spans(members: list[_Member], payer_id: Optional[str], path: str, problems) -> list[CoverageSpan]:
    spans: list[CoverageSpan] = []
    for m in members:
        member_id = m.member_id or m.name_id
        if not member_id:
            problems.append(("INS member has neither REF*0F subscriber number nor NM1*IL id", m.ins.number))
            continue
        person = dict(
            member_id=member_id,
            last_name=m.last_name,
            first_name=m.first_name,
            birth_date=m.birth_date,
            relationship=m.relationship,
            source_file=path,
        )
        for c in m.coverages:
            c.start = c.start or m.eligibility_begin
            c.end = c.end or m.eligibility_end
            if c.start and c.end and c.end < c.start:
                problems.append((f"HD coverage ends ({c.end}) before it begins ({c.start})", c.hd.number))
                continue
            terminated = m.terminated or c.hd.el(1) == "024"
            spans.append(
                CoverageSpan(
                    payer_id=payer_id,
                    plan=c.hd.el(4) or c.hd.el(3) or None,
                    start=c.start,
                    end=c.end,
                    active=not (terminated and c.end is None),
                    source=Loc("2300/HD", c.hd.number),
                    **person,
                )
            )
        for cob in m.cobs:
            if cob.payer_id and cob.responsibility in ("P", "S", "T"):
                spans.append(
                    CoverageSpan(
                        payer_id=cob.payer_id,
                        start=cob.start,
                        end=cob.end,
                        active=True,
                        responsibility=cob.responsibility,
                        source=Loc("2320/COB", cob.seg.number),
                        **person,
                    )
                )
    return spans
