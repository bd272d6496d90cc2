"""Fast paths of the derived fields agree with the definitions they replace (issue 13, item 2).

Each fast path is checked against the slow reference it short-cuts, on input chosen to break a
careless short cut. All ids, names and claims here are MADE UP."""
from __future__ import annotations

import dataclasses
import random
import string
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from scrubber.engine.batch import BatchState
from scrubber.fields import coding, common, ncci
from scrubber.fields.registry import DeriveInput
from scrubber.model import Claim, ClaimContext, Diagnosis, Person, Provider, ServiceLine, Source

TRICKY_IDS = (
    "MADEUP0001", "madeup 0001", " MadeUp-0001 ", "MADE.UP/0001\t", "a_b", "A\x00B", "~!@#$%^&*()_+`-={}[]|\\:;\"'<>,.?/",
    "ÉLODIE", "élodie", "Müller", "O\u0301BRIEN", "Ｍａｄｅｕｐ０００１", "１２３", "MADEUP\u00a00001",
    "ß", "ﬁ", "Ⅻ", "²³", "٣٤", "一二三", "İstanbul", "\u200bMADEUP", "MADE\u2011UP", "ǅ", "", "   ", "\t\n",
    "ÅNGSTRÖM-0001", "Ødegaard", "ł", "Æ", "x\u0308", "\U0001d400\U0001d7ce",
)


def test_tricky_ids_fast_and_slow_agree():
    for text in TRICKY_IDS:
        assert common._letters_and_digits(text) == common._letters_and_digits_slow(text), repr(text)


def test_every_ascii_character_alone_and_inside_an_id():
    for c in map(chr, range(128)):
        for text in (c, f"AB{c}12", f"{c}ab{c}"):
            assert common._letters_and_digits(text) == common._letters_and_digits_slow(text), repr(text)


def test_random_ascii_ids_agree():
    rnd = random.Random(13)
    alphabet = string.printable + "\x00\x7f"
    for _ in range(2000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 20)))
        assert common._letters_and_digits(text) == common._letters_and_digits_slow(text), repr(text)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=24))
def test_any_text_agrees(text):
    assert common._letters_and_digits(text) == common._letters_and_digits_slow(text)


def test_none_and_blank():
    assert common._letters_and_digits(None) == "" == common._letters_and_digits_slow(None)
    assert common.normalised_member_id("  -. ") is None


# ---- duplicates: repeats_line's per-claim index and the digest shared by the lookup and the commit --


D1, D2 = date(2025, 3, 3), date(2025, 3, 4)


def _lines(rnd: random.Random, n: int) -> tuple:
    """Made-up lines drawn from few values, so repeats (and near-repeats) are common."""
    out = []
    for k in range(1, n + 1):
        mods = tuple(rnd.sample(["59", "RT", "LT", "25"], rnd.randint(0, 2)))
        out.append(ServiceLine(number=k, code=rnd.choice(["99213", "97110", "J1100", None, ""]),
                               modifiers=mods, date_from=rnd.choice([D1, D2, None]),
                               ndc=rnd.choice([None, None, "00000000001"]),
                               providers=rnd.choice([(), (Provider(role="rendering", npi="1234567893"),),
                                                     (Provider(role="rendering", npi=""),),
                                                     (Provider(role="supervising", npi="1245319599"),)])))
    return tuple(out)


def _claims(seed: int, count: int) -> list:
    rnd = random.Random(seed)
    out = []
    for k in range(count):
        member = rnd.choice(["MADEUP0001", "madeup-0001", "MADEUP0002", "Ｍａｄｅｕｐ０００１"])
        out.append(Claim(claim_id=rnd.choice([f"MADE-UP-{k}", None]), kind="837P", source=Source("made-up.json"),
                         service_from=D1, service_to=D2, lines=_lines(rnd, rnd.randint(1, 9)),
                         subscriber=Person(last_name=rnd.choice(["O'Brien", "obrien", "Müller"]), first_name="Jane",
                                           member_id=member, relationship="18", birth_date=date(1980, 1, 2)),
                         providers=rnd.choice([(Provider(role="billing", npi="1497758544"),), (),
                                               (Provider(role="rendering", npi=None), Provider(role="billing", npi="1497758544")),
                                               (Provider(role="rendering", npi="1003000126"),)])))
    return out


def _inp(batch, claim, line) -> DeriveInput:
    return DeriveInput(claim=claim, obj=line, context=ClaimContext(), refdata=None, batch=batch, fact={})


def test_repeats_line_index_agrees_with_the_scan():
    batch = BatchState(valuesets={})
    seen_repeat = 0
    for claim in _claims(7, 300):
        batch.begin(claim)
        for ln in claim.lines:
            fast = ncci.repeats_line(_inp(batch, claim, ln))
            assert fast == ncci.repeats_line_scan(claim, ln), (claim, ln)
            seen_repeat += fast is not None
        batch.commit(claim, None)
    assert seen_repeat >= 10  # the made-up claims do repeat lines


def test_batch_duplicates_same_with_and_without_the_shared_digest():
    """A worker that evaluates a claim reuses its lines' digests in the commit; one that only commits
    it (another worker's chunk) computes them afresh: both must index the same services."""
    claims = _claims(11, 300)
    evaluated, committed_only = BatchState(valuesets={}), BatchState(valuesets={})
    hits = 0
    for claim in claims:
        evaluated.begin(claim)
        answers = [ncci.batch_duplicate_of(_inp(evaluated, claim, ln)) for ln in claim.lines]
        reference = [committed_only.slot("ncci.services").lookup(claim, ln) if ln.code else None for ln in claim.lines]
        assert answers == reference
        hits += sum(a is not None for a in answers)
        for ln in claim.lines:
            assert common.service_signature(claim, ln, evaluated.claim_memo.setdefault("signatures", {})) == \
                common.service_signature(claim, ln) == common.service_signature(claim, ln, {})
            assert common.service_signature(claim, ln)[1] == common.line_provider_npi(claim, ln)
            if ln.code:
                assert ncci._digest(claim, ln, evaluated.claim_memo.setdefault("signatures", {})) == \
                    ncci.signature_digest(common.service_signature(claim, ln))
        evaluated.commit(claim, None)
        committed_only.commit(claim, None)
    assert hits >= 10


def test_member_key_memo_is_per_claim():
    """One scratch handed two claims (a reused memo) never gives the second the first's member."""
    a, b = _claims(3, 2)
    b = dataclasses.replace(b, subscriber=Person(last_name="Other", first_name="Made-Up", member_id="MADEUP0003"))
    memo: dict = {}
    common.service_signature(a, a.lines[0], memo)
    assert common.service_signature(b, b.lines[0], memo)[0] == common.member_key(b) != common.member_key(a)


def test_a_line_shared_by_two_claims_gets_each_claims_signature_from_one_memo():
    """A claim copy (``dataclasses.replace``, as serialize does) keeps the line objects of the original: a
    memo handed both claims gives the copy's line the copy's patient, not the original's."""
    a, = _claims(3, 1)
    b = dataclasses.replace(a, subscriber=Person(last_name="Other", first_name="Made-Up", member_id="MADEUP0003"))
    assert b.lines[0] is a.lines[0]
    memo: dict = {}
    common.service_signature(a, a.lines[0], memo)
    assert common.service_signature(b, b.lines[0], memo) == common.service_signature(b, b.lines[0])


# ---- reference-data look-ups: memoised answers and one-pass candidates vs the definitions ---------


def _some_codes(rd, n: int) -> list[str]:
    """Real ICD-10-CM codes and Excludes1 scopes of the built-in edition, plus malformed text."""
    conn = rd.store.conn
    codes = [r[0] for r in conn.execute("SELECT code FROM icd_code ORDER BY code LIMIT ?", (n,))]
    codes += [r[0] for r in conn.execute("SELECT code FROM icd_code WHERE billable = 0 LIMIT ?", (n,))]
    for lo, dst in conn.execute("SELECT src_lo, dst_lo FROM icd_excludes1 LIMIT ?", (n,)):
        codes += [lo, dst, lo + "9", dst + "0"]
    return codes + ["E11.9", "e119", " E119 ", "ZZZ99", "E1", "", "I10"]


def test_icd10cm_status_memo_agrees_with_the_lookups(builtin_refdata):
    rd = builtin_refdata
    for code in _some_codes(rd, 300):
        if not code.strip():
            continue
        for day in (date(2025, 1, 1), date(2026, 5, 1)):
            assert rd.icd10cm_status(code, day) == coding.icd10cm_status_reference(rd, code, day), code
            assert rd.icd10cm_status(code, day) == coding.icd10cm_status_reference(rd, code, day)  # memo hit


def test_excludes1_candidates_are_every_pair_the_relation_accepts(builtin_refdata):
    rnd = random.Random(5)
    pool = _some_codes(builtin_refdata, 200)
    quals = ["ABK", "ABF", "ABF", "BF"]  # BF: an ICD-9 code, never related
    found = 0
    for _ in range(300):
        picked = rnd.sample(pool, rnd.randint(1, 12))
        dxs = [Diagnosis(position=rnd.choice([k, k, 1]) if k > 1 else 1, code=c, qualifier=rnd.choice(quals))
               for k, c in enumerate(picked, 1)]
        inp = DeriveInput(claim=None, obj=None, context=ClaimContext(), refdata=builtin_refdata, batch=None, fact={})
        full = {}
        for i, a in enumerate(dxs):
            js = [j for j, b in enumerate(dxs) if i != j and coding.excludes1(inp, a, b) is not None]
            if js:
                full[i] = js
        cands = coding.excludes1_candidates(inp, dxs, dxs)
        assert cands == full, picked
        found += sum(map(len, full.values()))
    assert found >= 20  # the sample does hold Excludes1 pairs


def test_pc_tc_candidates_are_every_pair_the_relation_accepts():
    rnd = random.Random(17)
    found = 0
    for _ in range(400):
        lines = []
        for k in range(1, rnd.randint(1, 8) + 1):
            mods = tuple(rnd.sample(["26", "TC", "59", "RT"], rnd.randint(0, 2)))
            lines.append(ServiceLine(number=rnd.choice([k, k, 1]), code=rnd.choice(["71046", "93000", None]),
                                     modifiers=mods, date_from=rnd.choice([D1, D2]),
                                     providers=rnd.choice([(), (Provider(role="rendering", npi="1234567893"),)])))
        claim = Claim(claim_id="MADE-UP-PCTC", kind="837P", source=Source("made-up.json"), service_from=D1,
                      service_to=D2, lines=tuple(lines), providers=(Provider(role="billing", npi="1497758544"),))
        inp = DeriveInput(claim=claim, obj=claim, context=ClaimContext(), refdata=None, batch=None, fact={})
        full = {}
        for i, a in enumerate(lines):
            js = [j for j, b in enumerate(lines) if i != j and coding.pc_tc_split(inp, a, b) is not None]
            if js:
                full[i] = js
        cands = coding.pc_tc_candidates(inp, lines, lines)
        for i, js in full.items():  # every accepted pair is a candidate (candidates may hold more)
            assert set(js) <= set(cands.get(i, ())), (lines, i)
        for i, js in cands.items():
            assert js == sorted(js)
        found += sum(map(len, full.values()))
    assert found >= 20
