"""The derived fields' per-claim and per-fact caches never hand one claim or fact another's answer,
and the service digests tell apart every two different signatures (issue 13, item 2).

All ids, names, codes paired here and claims are MADE UP (the ICD-10-CM codes are real codes of the
built-in edition; which of them a claim carries is made up)."""
from __future__ import annotations

import dataclasses
import random
from datetime import date

from scrubber.engine.batch import BatchState
from scrubber.fields import coding, common, ncci
from scrubber.fields.common import dx_date
from scrubber.fields.registry import DeriveInput
from scrubber.model import Claim, ClaimContext, Diagnosis, Person, Provider, ServiceLine, Source


# dates inside the built-in edition, before it (judged by the MCE list), and far outside both
DAYS = (date(2025, 11, 3), date(2026, 5, 1), date(2019, 6, 3), date(2016, 10, 5), date(1999, 1, 4), date(2041, 1, 2))
CODES = ("E119", "E11", "I10", "O800", "Z3800", "N401", "P0730", "ZZZ99", "R51", "R519")


def _claim(day: date, codes, birth: date) -> Claim:
    dxs = tuple(Diagnosis(position=k, code=c, qualifier="ABK" if k == 1 else "ABF") for k, c in enumerate(codes, 1))
    return Claim(claim_id="MADE-UP-CACHE", kind="837P", source=Source("made-up.json"), service_from=day,
                 diagnoses=dxs, subscriber=Person(last_name="MADEUP", first_name="PAT", member_id="MADEUP01",
                                                  birth_date=birth))


def _reference(rd, claim: Claim, dx: Diagnosis) -> dict:
    """The diagnosis fields from their definitions, asked of fresh state (no cache can help)."""
    day = dx_date(claim)
    covered = coding._edition_covers(rd, day)
    mce = rd.mce
    if covered:
        status, edition = rd.icd10cm_status(dx.code, day), rd.icd10cm_edition(day)
    elif mce is not None and mce.covers(day):
        status, edition = coding._mce_status(rd, dx.code.upper(), day), f"FY{coding._fiscal_year(day)} (CMS MCE code list)"
    else:
        status = "unjudged" if coding._ICD10CM_SHAPE.fullmatch(dx.code.upper()) else "invalid"
        edition = rd.icd10cm_edition(day)
    entry = mce.entry(dx.code.upper(), day) if mce is not None else None
    age = day.year - claim.subscriber.birth_date.year - (
        (day.month, day.day) < (claim.subscriber.birth_date.month, claim.subscriber.birth_date.day))
    conflict = None
    if entry is not None:
        for group in coding._AGE_GROUPS:
            span = mce.age_range(group, day) if group in entry.flags else None
            if span is not None and not span[0] <= age <= span[1]:
                conflict = group
                break
    return {"status": status, "edition": edition, "conflict": conflict,
            "manifestation": None if entry is None else "manifestation" in entry.flags}


def test_claims_in_turn_each_get_their_own_dates_editions_and_mce_rows(builtin_refdata):
    """Claims of different dates, ages and codes, asked about in an interleaved order (the per-claim
    and per-fact caches hold the last one asked): every answer is the claim's own."""
    rd = builtin_refdata
    rnd = random.Random(23)
    claims = [_claim(rnd.choice(DAYS), rnd.sample(CODES, rnd.randint(1, 4)),
                     rnd.choice([date(1950, 5, 5), date(2010, 2, 2), date(2025, 10, 1), date(1990, 7, 7)]))
              for _ in range(120)]
    claims.append(dataclasses.replace(claims[0]))  # equal to the first, another object
    batch = BatchState(valuesets={})
    seen = set()
    for _ in range(3):
        for claim in rnd.sample(claims, len(claims)):
            for dx in rnd.sample(claim.diagnoses, len(claim.diagnoses)):
                inp = DeriveInput(claim=claim, obj=dx, context=ClaimContext(), refdata=rd, batch=batch, fact={})
                want = _reference(rd, claim, dx)
                assert coding.icd10cm_status(inp) == want["status"], (claim.service_from, dx.code)
                assert coding.icd10cm_edition(inp) == want["edition"], claim.service_from
                assert coding.mce_age_conflict(inp) == want["conflict"], (claim.service_from, dx.code)
                assert coding.mce_age_conflict(inp) == want["conflict"]  # the per-fact answer, asked again
                assert coding.mce_manifestation(inp) == want["manifestation"]
                seen.add((want["status"], want["conflict"]))
    assert len({s for s, _ in seen}) >= 3 and any(c for _, c in seen)  # the sample reaches several branches


D = date(2025, 3, 3)
PARTS = {  # alternatives for each signature part, made to collide under a careless text
    "member": [("MADEUP1", "DOE", "JANE", D), ("MADEUP1", "DOE", "JANE", None), ("MADEUP1|'x'", "DOE", "JANE", D),
               (None,), ("MADEUP1", "DOEJANE", "", D)],
    "npi": [None, "1234567893", "1234567893|None", "'1234567893'", ""],
    "day": [None, D, date(2025, 3, 30)],
    "day_to": [None, D],
    "code": [None, "99213", "99213|None", ""],
    "revenue": [None, "0450", "0450|"],
    "modifiers": [frozenset(), frozenset({"59"}), frozenset({"59", "RT"}), frozenset({"59|RT"})],
    "ndc": [None, "00000000001", ""],
}


def test_digests_equal_exactly_when_signatures_are_equal():
    rnd = random.Random(29)
    sigs = {tuple(rnd.choice(v) for v in PARTS.values()) for _ in range(4000)}
    digests = {}
    for sig in sigs:
        h = ncci.signature_digest(sig)
        assert digests.setdefault(h, sig) == sig, (sig, digests[h])
    assert ncci.signature_digest(next(iter(sigs))) == ncci.signature_digest(tuple(next(iter(sigs))))


def test_the_claims_digests_are_the_signature_digests():
    """The one-pass digests of a claim's lines (lookup and commit) equal ``signature_digest`` of each
    line's signature, and a claim's scratch reused for another claim never answers for it."""
    lines = tuple(ServiceLine(number=k, code=c, modifiers=m, date_from=d,
                              providers=(Provider(role="rendering", npi="1234567893"),) if k % 2 else ())
                  for k, (c, m, d) in enumerate([("99213", ("25",), D), ("99213", (), None), ("J1100", ("59", "RT"), D),
                                                 ("99213", ("25",), D), ("99213", ("25",), D), (None, (), D)], 1))
    a = Claim(claim_id="MADE-UP-A", kind="837P", source=Source("made-up.json"), service_from=D, lines=lines,
              subscriber=Person(last_name="MADEUP", first_name="ONE", member_id="MADEUP01"),
              providers=(Provider(role="billing", npi="1497758544"),))
    b = dataclasses.replace(a, claim_id="MADE-UP-B", lines=tuple(dataclasses.replace(ln) for ln in lines), subscriber=Person(last_name="MADEUP", first_name="TWO", member_id="MADEUP02"))
    memo: dict = {}
    for claim in (a, b, a):
        for ln in claim.lines:
            if ln.code:
                assert ncci._digest(claim, ln, memo) == ncci.signature_digest(common.service_signature(claim, ln))
    assert ncci._digest(a, lines[0], {}) != ncci._digest(b, lines[0], {})
    batch = BatchState(valuesets={})
    batch.begin(a)
    inp = lambda ln: DeriveInput(claim=a, obj=ln, context=ClaimContext(), refdata=None, batch=batch, fact={})  # noqa: E731
    assert [ncci.repeats_line(inp(ln)) for ln in lines] == [ncci.repeats_line_scan(a, ln) for ln in lines] \
        == [None, None, None, None, 1, None]  # line 4 has another provider
