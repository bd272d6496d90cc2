"""The X12 reader's transaction flow: held segment texts, streaming past MAX_PENDING, implicit
transactions, TA1 inside a transaction, interchanges that change delimiters without an IEA.

The reader holds a transaction's segment texts until its SE and reads them then (segment
numbers implied by position), or reads them as they arrive once a transaction has more than
``MAX_PENDING`` claims. Whichever path a transaction takes, a user must see the same claims,
values, locations and segment numbers; only where the transaction's findings go may differ
(and is asserted here). Every input is made up: the bundled MADE-UP fixtures, cut and joined,
and made-up TA1 / HL / GS / ST segments.
"""
from __future__ import annotations

import io

import pytest

from conftest import ROOT
from scrubber.model import ClaimRecord, RunError
from scrubber.model.serialize import to_dict
from scrubber.readers import read_stream

FIX = ROOT / "fixtures" / "x12"


def segs_of(name: str) -> list[str]:
    """A bundled fixture's segments (one a line, ``~`` terminated, ``*`` separated)."""
    return [s for s in (FIX / name).read_text().replace("\n", "").split("~") if s]


TWO = segs_of("837p-two-claims.837")  # ISA GS ST ... SE GE IEA; CLMs MADE-UP-P1, MADE-UP-P2
CUSTOM = [s for s in (FIX / "837p-custom-delimiters-crlf.837").read_bytes().decode().replace("\r\n", "").split("~") if s]  # | ! >


def x12(segs: list[str], term: str = "~\n") -> bytes:
    return (term.join(segs) + term).encode()


def read(data: bytes) -> list:
    return list(read_stream(io.BytesIO(data), "made-up.837"))


def claims(recs) -> list[ClaimRecord]:
    return [r for r in recs if isinstance(r, ClaimRecord)]


def run_errors(recs) -> list[str]:
    return [r.message.split(":")[0] for r in recs if isinstance(r, RunError)]


def positions(segs: list[str], prefix: str) -> list[int]:
    """1-based segment numbers of the segments starting with ``prefix``, counted by the test itself."""
    return [i + 1 for i, s in enumerate(segs) if s.startswith(prefix)]


def locs(obj) -> list:
    """Every location of a claim and of its lines, as (field, path, segment)."""
    out = [(k, v.path, v.segment) for k, v in sorted(obj.locs.items())]
    for line in obj.lines:
        out += [(k, v.path, v.segment) for k, v in sorted(line.locs.items())]
    return out


def values(obj):
    """A claim's values without its source and locations (segment numbers depend on what precedes it)."""
    if isinstance(obj, ClaimRecord):
        obj = to_dict(obj.claim)
    if isinstance(obj, dict):
        return {k: values(v) for k, v in obj.items() if k not in ("locs", "source")}
    if isinstance(obj, list):
        return [values(v) for v in obj]
    return obj


def shifted(rec: ClaimRecord, by: int) -> list:
    return [(k, path, seg - by) for k, path, seg in locs(rec.claim)]


def seen(rec: ClaimRecord) -> tuple:
    """What a user sees of a claim apart from its findings: values, every location, the source segment."""
    if rec.claim is None:
        return rec.claim_id, rec.source.segment, None, []
    return rec.claim_id, rec.source.segment, to_dict(rec.claim), locs(rec.claim)


def finding_at(rec: ClaimRecord, rule_id: str) -> list[int]:
    return [f.location_segment for f in rec.findings if f.rule_id == rule_id]


# -- an interchange without IEA followed by one with other delimiters -------------------------

@pytest.mark.parametrize("first,second", [(TWO, CUSTOM), (CUSTOM, TWO)], ids=["star-then-bar", "bar-then-star"])
def test_claims_of_an_interchange_without_iea_are_read_with_its_own_delimiters(first, second):
    # The first interchange stops after its last claim (no SE, GE, IEA); the next ISA declares other
    # delimiters. Its held segments must still be split with the first interchange's separator:
    # they were once split with the next one's, and the two claims vanished without a word.
    cut = first[:-3]
    segs = cut + second
    recs = read(x12(cut, "~\n") + x12(second, "~\r\n"))
    got = claims(recs)
    assert [r.claim_id for r in got] == ["MADE-UP-P1", "MADE-UP-P2"] * 2
    clm_at = [i + 1 for i, s in enumerate(segs) if s[:4] in ("CLM*", "CLM|")]
    assert [r.source.segment for r in got] == clm_at
    alone = claims(read(x12(first)))
    for early, whole in zip(got[:2], alone):
        assert to_dict(early.claim) == to_dict(whole.claim) and locs(early.claim) == locs(whole.claim)
        assert finding_at(early, "X12-SE-MISSING") == [3]  # the only thing wrong with them
        assert [f.rule_id for f in early.findings if f.rule_id != "X12-SE-MISSING"] == [f.rule_id for f in whole.findings]
    assert run_errors(recs) == ["X12-GE-MISSING", "X12-IEA-MISSING"]


# -- more than MAX_PENDING claims: read as they arrive ----------------------------------------

def _with_more_claims() -> list[str]:
    """The two-claim fixture with a made-up TA1 inside claim 1 and claim 2 repeated, SE01 left as it was."""
    clm2, se = TWO.index(next(s for s in TWO if s.startswith("CLM*MADE-UP-P2"))), len(TWO) - 3
    claim2 = TWO[clm2:se]
    body = TWO[:30] + ["TA1*000000101*250301*0900*A*000"] + TWO[30:se]
    body += [s.replace("MADE-UP-P2", "MADE-UP-P3") for s in claim2] + [s.replace("MADE-UP-P2", "MADE-UP-P4") for s in claim2]
    return body + TWO[se:]


@pytest.mark.parametrize("max_pending", [1, 2, 3])
def test_a_transaction_read_as_it_arrives_gives_the_same_claims_and_reports_its_se_findings(monkeypatch, max_pending):
    import scrubber.readers.x12.transaction as transaction_mod

    segs = _with_more_claims()
    data = x12(segs)
    held = read(data)
    monkeypatch.setattr(transaction_mod, "MAX_PENDING", max_pending)  # overflow in the middle of a claim
    streamed = read(data)
    assert [seen(r) for r in claims(streamed)] == [seen(r) for r in claims(held)]
    assert [r.source.segment for r in claims(streamed)] == positions(segs, "CLM*")
    # The TA1 has no place in a claim: said once, at its own segment, either way.
    ta1 = positions(segs, "TA1*")
    assert [finding_at(r, "X12-SEG-UNKNOWN") + finding_at(r, "X12-SEG-MISPLACED") for r in claims(held)][0] == ta1
    assert [finding_at(r, "X12-SEG-UNKNOWN") + finding_at(r, "X12-SEG-MISPLACED") for r in claims(streamed)][0] == ta1
    # SE01 counts every segment ST..SE, the TA1 included, held or streamed.
    se = positions(segs, "SE*")[0]
    total = se - positions(segs, "ST*")[0] + 1
    for r in claims(held):
        assert finding_at(r, "X12-SE01") == [se]
        assert any(f"the transaction has {total} " in f.message for f in r.findings if f.rule_id == "X12-SE01")
    # Read as they arrive, the claims handed on before SE never see its findings: a run error says it.
    early = claims(streamed)[:-1]
    assert early and all(finding_at(r, "X12-SE01") == [] for r in early)
    assert finding_at(claims(streamed)[-1], "X12-SE01") == [se]
    assert "X12-SE01" in run_errors(streamed) and "X12-SE01" not in run_errors(held)


def test_exactly_max_pending_claims_are_held_to_se(monkeypatch):
    import scrubber.readers.x12.transaction as transaction_mod

    monkeypatch.setattr(transaction_mod, "MAX_PENDING", 2)
    segs = TWO[:-3] + ["HL*9**20*1"] + TWO[-3:]  # 2 claims, then an HL (a billing provider) closes the last one
    recs = read(x12(segs))
    assert [r.claim_id for r in claims(recs)] == ["MADE-UP-P1", "MADE-UP-P2"]
    assert all(finding_at(r, "X12-SE01") == [positions(segs, "SE*")[0]] for r in claims(recs))


# -- an HL with an unknown level code ----------------------------------------------------------

def test_an_unknown_hl_level_between_claims_reaches_every_claim_of_its_transaction_and_no_other():
    # Claims before the made-up HL*..*99 and after it (in the same transaction) all carry it; the
    # next transaction's claims do not.
    segs = _with_more_claims()
    hl_at = segs.index(next(s for s in segs if s.startswith("CLM*MADE-UP-P3")))
    segs = segs[:hl_at] + ["HL*9*1*99*0"] + segs[hl_at:]
    second = [s.replace("*0001", "*0002") if s[:3] in ("ST*", "SE*") else s for s in TWO[2:-2]]
    all_segs = segs[:-2] + second + segs[-2:]
    recs = read(x12(all_segs))
    got = claims(recs)
    assert [r.claim_id for r in got] == ["MADE-UP-P1", "MADE-UP-P2", "MADE-UP-P3", "MADE-UP-P4", "MADE-UP-P1", "MADE-UP-P2"]
    assert [r.source.segment for r in got] == positions(all_segs, "CLM*")
    unknown = positions(all_segs, "HL*9*1*99")
    assert [set(finding_at(r, "X12-HL")) for r in got[:4]] == [set(unknown)] * 4
    assert all(any("'99'" in f.message for f in r.findings if f.rule_id == "X12-HL") for r in got[:4])
    assert [finding_at(r, "X12-HL") for r in got[4:]] == [[], []]


# -- implicit transactions (no ST) -------------------------------------------------------------

def test_an_implicit_transaction_cut_by_an_st_keeps_its_claims_and_segment_numbers():
    # GS, then a transaction whose ST is missing, then a proper ST..SE: the first transaction is
    # implicit (opened by its BHT) and ends at the next ST without an SE.
    implicit = TWO[3:-3]  # BHT .. last segment of claim 2
    segs = TWO[:2] + implicit + TWO[2:-2] + ["GE*2*101", TWO[-1]]
    recs = read(x12(segs))
    got = claims(recs)
    assert [r.claim_id for r in got] == ["MADE-UP-P1", "MADE-UP-P2"] * 2
    assert [r.source.segment for r in got] == positions(segs, "CLM*")
    bht = positions(segs, "BHT*")[0]
    for r in got[:2]:
        assert finding_at(r, "X12-ST-MISSING") == [bht] and finding_at(r, "X12-SE-MISSING") == [bht]
    assert all(r.findings == () for r in got[2:])
    whole = claims(read(x12(TWO)))
    assert [values(r) for r in got[2:]] == [values(r) for r in whole]
    by = got[2].source.segment - whole[0].source.segment
    assert [shifted(r, by) for r in got[2:]] == [locs(r.claim) for r in whole]
    assert run_errors(recs) == ["X12-ST-MISSING", "X12-GE01"]


def test_an_implicit_transaction_cut_by_a_gs_then_closed_by_se_counts_its_segments():
    # After a GE the next segments have no GS and no ST; a GS cuts that implicit transaction; a
    # second implicit transaction (opened by an HL) ends at a real SE whose SE01 is checked.
    implicit = TWO[3:-3]
    tail = TWO[7:-3]  # HL*1 .. end of claim 2
    segs = TWO[:-1] + implicit + [TWO[1]] + tail + ["SE*%d*0001" % (len(tail) + 1), "GE*0*101", TWO[-1]]
    recs = read(x12(segs))
    got = claims(recs)
    assert [r.claim_id for r in got] == ["MADE-UP-P1", "MADE-UP-P2"] * 3
    assert [r.source.segment for r in got] == positions(segs, "CLM*")
    assert all(finding_at(r, "X12-SE01") == [] for r in got)  # SE01 counted the opening HL once
    assert all(finding_at(r, "X12-CTRL-ST") == [positions(segs, "SE*")[1]] for r in got[4:])


# -- layouts: the held texts are numbered as the file has them ----------------------------------

@pytest.mark.parametrize("layout", ["crlf", "line-break-terminator", "blank-segments", "one-line"])
def test_segment_numbers_do_not_depend_on_the_layout_of_the_file(layout):
    plain = claims(read(x12(TWO)))
    if layout == "crlf":
        data = x12(TWO, "~\r\n")
    elif layout == "line-break-terminator":
        data = x12([TWO[0][:-1] + ":"] + TWO[1:], "\n")  # the character after ISA16 is the line break
    elif layout == "blank-segments":
        data = x12(TWO, "~\n").replace(b"LX*", b"~ ~\n~LX*")  # empty segments are not counted
    else:
        data = x12(TWO, "~")
    got = claims(read(data))
    assert [seen(r) for r in got] == [seen(r) for r in plain]
    assert [r.findings for r in got] == [r.findings for r in plain] == [(), ()]


def test_a_truncated_last_segment_is_read_into_its_claim_with_its_number():
    # The file ends in the middle of claim 2's last segment (no terminator, no SE): the segment
    # still counts and lands in the claim, and the truncation is reported at its number.
    segs = TWO[:-3]
    data = x12(segs)[: -len("0206~\n")]
    recs = read(data)
    got = claims(recs)
    assert [r.claim_id for r in got] == ["MADE-UP-P1", "MADE-UP-P2"]
    last = len(segs)
    assert got[1].claim.lines[0].locs["date_from"].segment == last
    truncated = [r for r in recs if isinstance(r, RunError) and r.message.startswith("X12-TRUNCATED")]
    assert [r.segment for r in truncated] == [last]


# -- held or read as it arrives: only where the transaction's findings go may differ ----------------

def _mutants(count: int, seed: int) -> list[bytes]:
    """Made-up broken batches: generated claims and the fixtures, with segments deleted, duplicated,
    cut, and made-up TA1 / unknown-level HL / stray envelope segments put in."""
    import random
    import sys

    sys.path.insert(0, str(ROOT / "bench"))
    import gen_837

    rng = random.Random(seed)
    fixtures = [TWO, segs_of("837i-inpatient.837"), segs_of("837-several-interchanges.837")]
    extra = ["TA1*000000101*250301*0900*A*000", "HL*9*1*99*0", "HL*9", "SE*9*0001", "ST*837*0009*005010X222A1",
             "GS*HC*MADEUPA*MADEUPB*20250301*0900*9*X*005010X222A1", "CLM*MADE-UP-X9*10", "ZZZ*MADEUP"]
    out = []
    for _ in range(count):
        if rng.random() < 0.5:
            segs = list(rng.choice(fixtures))
        else:
            data = gen_837.generate(rng.randint(2, 12), seed=rng.randrange(1000), kind=rng.choice(("837P", "837I")),
                                    claims_per_transaction=rng.randint(2, 8))
            segs = [s for s in data.decode().replace("\n", "").split("~") if s]
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(segs))
            op = rng.randrange(4)
            if op == 0 and len(segs) > 1:
                del segs[i]
            elif op == 1:
                segs.insert(i, segs[i])
            elif op == 2:
                segs.insert(i, rng.choice(extra))
            else:
                segs[i] = segs[i][: rng.randrange(len(segs[i]) + 1)]
        data = x12(segs)
        out.append(data[: rng.randrange(len(data))] if rng.random() < 0.2 else data)
    return out


def test_reading_a_transaction_as_it_arrives_changes_nothing_but_where_its_findings_go(monkeypatch):
    import scrubber.readers.x12.transaction as transaction_mod

    inputs = _mutants(120, seed=2026)
    held = [read(data) for data in inputs]
    monkeypatch.setattr(transaction_mod, "MAX_PENDING", 1)
    streamed = [read(data) for data in inputs]
    went_early = 0
    for h, s in zip(held, streamed):
        # The transaction's findings, which claims handed on early never see, are reported as run errors.
        tx_level = {r.message for r in s if isinstance(r, RunError) and r.kind == "structure"} - \
                   {r.message for r in h if isinstance(r, RunError)}
        went_early += bool(tx_level)

        def own(rec):
            return seen(rec), rec.error, [f for f in rec.findings if f"{f.rule_id}: {f.message}" not in tx_level]

        assert [own(r) for r in claims(s)] == [own(r) for r in claims(h)]
        assert sorted(r.message for r in s if isinstance(r, RunError) and r.message not in tx_level) == \
               sorted(r.message for r in h if isinstance(r, RunError))
    assert went_early > 20  # the streaming path really ran, with findings to report


@pytest.mark.parametrize("max_held", [1, 5, 40])
def test_a_transaction_read_before_its_se_to_bound_memory_gives_exactly_the_same_records(monkeypatch, max_held):
    # Past MAX_HELD_TEXTS held segments (say HL loops without claims) the reader reads what it holds
    # and keeps the built claims until SE: nothing a user sees may change, not even the order.
    import scrubber.readers.x12.transaction as transaction_mod

    inputs = _mutants(60, seed=7)
    inputs.append(x12(TWO[:7] + [s for k in range(30) for s in (f"HL*{k + 2}*1*22*0", "SBR*P*18*******CI")] + TWO[7:]))

    def shown(recs):
        return [(seen(r), r.error, r.findings) if isinstance(r, ClaimRecord) else r for r in recs]

    held = [shown(read(data)) for data in inputs]
    monkeypatch.setattr(transaction_mod, "MAX_HELD_TEXTS", max_held)
    assert [shown(read(data)) for data in inputs] == held
