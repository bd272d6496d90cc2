"""277CA acknowledgements: valid per pyx12, one 2200D per claim read, rejection follows --fail-on."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from ack_pyx12 import segments, validate
from test_ack999 import FIXTURES, corpus_result, made_up_broken_837, scrub, stamp  # noqa: F401 (corpus_result: fixture)
from scrubber.writers.ack277ca import write_277ca
from datadir import seeded

A_CATEGORY = {"A1", "A2", "A3", "A6", "A7"}


@pytest.fixture(scope="module")
def isolated(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMSCRUB_DATA_DIR", str(seeded(tmp_path_factory.mktemp("data"))))
        yield


def text_277(result, fail_on="error", first=100) -> str:
    out = io.StringIO()
    write_277ca(result.claims, result.errors, out, fail_on, stamp(first))
    return out.getvalue()


def valid(text: str, path: Path) -> list[str]:
    path.write_text(text)
    return validate(path)


def claims_2200d(text: str) -> list[list[list[str]]]:
    """Segments of each 2000D/2200D (HL*..*PT up to the next HL or SE)."""
    out, cur = [], None
    for s in segments(text):
        if s[0] == "HL":
            cur = [] if s[3:4] == ["PT"] else None
            if cur is not None:
                out.append(cur)
        elif s[0] == "SE":
            cur = None
        if cur is not None:
            cur.append(s)
    return out


def _stc(loop):
    return [s for s in loop if s[0] == "STC"]


def test_fixtures_277ca(tmp_path, isolated):
    both = tmp_path / "two-interchanges.837"
    both.write_bytes((FIXTURES / "professional.837").read_bytes() + (FIXTURES / "institutional.837").read_bytes())
    result = scrub([both])
    text = text_277(result)
    assert valid(text, tmp_path / "a.277") == []
    loops = claims_2200d(text)
    assert len(loops) == len(result.claims) == 7
    by_id = {next(s[2] for s in lp if s[0] == "TRN"): lp for lp in loops}
    assert set(by_id) == {c.claim_id for c in result.claims}
    for c in result.claims:
        stc = _stc(by_id[c.claim_id])
        cats = {s[1].split(":")[0] for s in stc}
        assert cats <= A_CATEGORY
        flagged = c.worst_rank() >= 3
        assert (stc[0][3] == "U") == flagged, c.claim_id
        if flagged:
            assert all(any(f.rule_id in s[12] for f in c.findings) for s in stc if len(s) > 12)
        else:
            assert stc[0][1] == "A2:20"
    # the 837I claims name their bill type; every claim has its service date
    ins = [by_id[c.claim_id] for c in result.claims if c.claim_id.startswith("MADE-UP-INS")]
    assert all(any(s[:2] == ["REF", "BLT"] for s in lp) for lp in ins)
    assert all(any(s[:2] == ["DTP", "472"] for s in lp) for lp in loops)


def test_fail_on_decides_accept_or_reject(tmp_path, isolated):
    result = scrub([FIXTURES / "professional.837"])
    never = claims_2200d(text_277(result, "never"))
    assert all(_stc(lp)[0][3] == "WQ" for lp in never)
    warned = sum(c.worst_rank() >= 2 for c in result.claims)
    as_warning = claims_2200d(text_277(result, "warning"))
    assert sum(_stc(lp)[0][3] == "U" for lp in as_warning) == warned


def test_line_finding_gets_a_2220d(tmp_path, isolated):
    result = scrub([FIXTURES / "professional.837"])
    line_level = [c for c in result.claims if any(f.line is not None and f.severity == "error" for f in c.findings)]
    assert line_level, "the fixture has a claim with a line-level error"
    loops = {next(s[2] for s in lp if s[0] == "TRN"): lp for lp in claims_2200d(text_277(result))}
    for c in line_level:
        lp = loops[c.claim_id]
        svc = [i for i, s in enumerate(lp) if s[0] == "SVC"]
        assert svc and lp[svc[0] + 1][0] == "STC" and lp[svc[0] + 1][3] == "U"


def test_unreadable_claim_and_refs(tmp_path, isolated):
    path = made_up_broken_837(tmp_path / "made-up-unreadable.837", [
        ("CLM*MADE-UP-PRO-002*", "CLM**190.00***11:B:1*Y*A*Y*Y"),  # no claim id: unreadable
        ("HI*ABK:E119*ABF:I10", "REF*D9*MADEUPTRACE1~HI*ABK:E119*ABF:I10"),  # made-up clearinghouse trace number
    ])
    result = scrub([path])
    text = text_277(result)
    assert valid(text, tmp_path / "u.277") == []
    loops = claims_2200d(text)
    assert len(loops) == len(result.claims) == 5
    unreadable = [lp for lp in loops if _stc(lp)[0][1].startswith("A3")]
    assert len(unreadable) == 1 and _stc(unreadable[0])[0][3] == "U"
    first = next(lp for lp in loops if ["TRN", "2", "MADE-UP-PRO-001"] in lp)
    assert ["REF", "D9", "MADEUPTRACE1"] in first
    qty = {s[1]: int(s[2]) for s in segments(text) if s[0] == "QTY" and s[1] in ("90", "AA")}
    assert sum(qty.values()) == 5


def test_corpus_277ca_valid(corpus_result, tmp_path):
    text = text_277(corpus_result)
    assert valid(text, tmp_path / "corpus.277") == []
    x12_claims = [c for c in corpus_result.claims if c.envelope is not None]
    assert len(claims_2200d(text)) == len(x12_claims) == len(corpus_result.claims)
    st = [s[2] for s in segments(text) if s[0] == "ST"]
    se = [s[2] for s in segments(text) if s[0] == "SE"]
    assert st == se
