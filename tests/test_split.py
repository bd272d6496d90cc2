"""The clean / held split: two valid 837 interchanges, claim content byte for byte."""
from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

from x12_testkit import content, envelope_problems, raw_claims, segments_of

from scrubber.model import Claim, ClaimRecord, ClaimResult, Finding, Source
from scrubber.writers.x12_split import SplitWriter

# A MADE-UP 837P batch (names, ids, NPIs are invented test data; 1234567893 is CMS's example NPI):
# two billing providers, a subscriber with two claims, a patient who is not the subscriber.
MADE_UP_837P = "\n".join([
    "ISA*00*          *00*          *ZZ*MADEUPSUBMIT   *ZZ*MADEUPRECEIVE  *261001*1200*^*00501*000000101*0*P*:~",
    "GS*HC*MADEUPSUBMIT*MADEUPRECEIVE*20261001*1200*101*X*005010X222A1~",
    "ST*837*0001*005010X222A1~",
    "BHT*0019*00*MADEUP0001*20261010*1200*CH~",  # created after the services (INT-DATE-002)
    "NM1*41*2*MADE-UP BILLING SERVICE*****46*MADEUPSUB~",
    "PER*IC*MADE UP CONTACT*TE*5555550100~",
    "NM1*40*2*MADE-UP PAYER*****46*MADEUPRCV~",
    "HL*1**20*1~",
    "NM1*85*2*MADE-UP CLINIC*****XX*1234567893~",
    "N3*1 MADE UP STREET~",
    "N4*SPRINGFIELD*IL*627010000~",
    "REF*EI*000000000~",
    "HL*2*1*22*0~",
    "SBR*P*18*******CI~",
    "NM1*IL*1*DOE*JANE****MI*MADEUPM001~",
    "DMG*D8*19800229*F~",
    "NM1*PR*2*MADE-UP PAYER*****PI*MADEUP01~",
    "CLM*MADE-UP-1*150***11:B:1*Y*A*Y*Y~",
    "HI*ABK:E119~",
    "LX*1~",
    "SV1*HC:99213*150*UN*1***1~",
    "DTP*472*D8*20261005~",
    "CLM*MADE-UP-2*80***11:B:1*Y*A*Y*Y~",
    "HI*ABK:I10~",
    "LX*1~",
    "SV1*HC:99212*80*UN*1***1~",
    "DTP*472*D8*20261006~",
    "HL*3**20*1~",
    "NM1*85*2*OTHER MADE-UP CLINIC*****XX*1234567893~",
    "N3*2 MADE UP STREET~",
    "N4*SPRINGFIELD*IL*627010000~",
    "REF*EI*000000001~",
    "HL*4*3*22*1~",
    "SBR*P*01*******CI~",
    "NM1*IL*1*ROE*JOHN****MI*MADEUPM002~",
    "NM1*PR*2*MADE-UP PAYER*****PI*MADEUP01~",
    "HL*5*4*23*0~",
    "PAT*19~",
    "NM1*QC*1*ROE*JIMMY~",
    "DMG*D8*20150101*M~",
    "CLM*MADE-UP-3*95***11:B:1*Y*A*Y*Y~",
    "HI*ABK:J069~",
    "LX*1~",
    "SV1*HC:99213*95*UN*1***1~",
    "DTP*472*D8*20261007~",
    "SE*44*0001~",
    "GE*1*101~",
    "IEA*1*000000101~",
]) + "\n"


def test_made_up_fixture_is_itself_a_valid_interchange():
    assert envelope_problems(MADE_UP_837P) == []
    assert [r.claim[0].split("*")[1] for r in raw_claims(MADE_UP_837P)] == ["MADE-UP-1", "MADE-UP-2", "MADE-UP-3"]


def record_for(raw, path="made-up.837", segment=None):
    claim_id = raw.claim[0].split(raw.element_sep)[1]
    claim = Claim(claim_id=claim_id, kind="837P", source=Source(path, segment), raw=raw)
    return ClaimRecord(claim_id, claim.source, claim)


def result_for(record, findings=(), unreadable=False):
    status = ClaimResult.status_for(findings, unreadable)
    return ClaimResult(record.claim_id, record.source.path, record.source.segment, status, findings=tuple(findings),
                       total_charge=Decimal("1"), error="broken" if unreadable else None)


ERROR = Finding("MADE-UP-E", "error", "balance", "made-up error")
WARNING = Finding("MADE-UP-W", "warning", "modifier", "made-up warning")


def split(tmp_path, raws, verdicts, fail_on="error", start=500):
    clean, held = tmp_path / "clean.837", tmp_path / "held.837"
    with SplitWriter(str(clean), str(held), fail_on, control_start=start) as writer:
        for raw, findings in zip(raws, verdicts):
            rec = record_for(raw)
            writer.add(rec, result_for(rec, findings))
        summary = writer.close()
    return clean.read_text(), held.read_text(), summary


def test_claims_with_errors_are_held_and_the_rest_are_clean(tmp_path):
    raws = raw_claims(MADE_UP_837P)
    clean, held, summary = split(tmp_path, raws, [(ERROR,), (WARNING,), ()])
    assert [r.claim for r in raw_claims(clean)] == [raws[1].claim, raws[2].claim]
    assert [r.claim for r in raw_claims(held)] == [raws[0].claim]
    assert (summary.clean_claims, summary.held_claims, summary.set_aside) == (2, 1, [])


def test_both_files_are_valid_interchanges_with_new_control_numbers(tmp_path):
    raws = raw_claims(MADE_UP_837P)
    clean, held, _ = split(tmp_path, raws, [(ERROR,), (), ()], start=777)
    assert envelope_problems(clean) == [] and envelope_problems(held) == []
    isa13 = [segments_of(t)[1][0].split("*")[13] for t in (clean, held)]
    assert isa13 == ["000000777", "000000778"]
    assert "000000101" not in clean and "*101~" not in clean  # the original ISA13 / GS06 are gone


def test_hl_loops_are_renumbered_and_claim_content_is_kept_byte_for_byte(tmp_path):
    raws = raw_claims(MADE_UP_837P)
    clean, held, _ = split(tmp_path, raws, [(), (ERROR,), ()])
    hl = [s for s in segments_of(clean)[1] if s.startswith("HL*")]
    assert hl == ["HL*1**20*1", "HL*2*1*22*0", "HL*3**20*1", "HL*4*3*22*1", "HL*5*4*23*0"]
    assert [content(r) for r in raw_claims(clean)] == [content(raws[0]), content(raws[2])]
    assert [content(r) for r in raw_claims(held)] == [content(raws[1])]


def test_fail_on_warning_holds_warning_claims_and_never_holds_nothing(tmp_path):
    raws = raw_claims(MADE_UP_837P)
    _, _, summary = split(tmp_path, raws, [(ERROR,), (WARNING,), ()], fail_on="warning")
    assert (summary.clean_claims, summary.held_claims) == (1, 2)
    _, _, summary = split(tmp_path, raws, [(ERROR,), (WARNING,), ()], fail_on="never")
    assert (summary.clean_claims, summary.held_claims) == (3, 0)


def test_unreadable_and_json_claims_go_to_neither_file_and_are_listed(tmp_path):
    raws = raw_claims(MADE_UP_837P)
    clean, held = tmp_path / "c.837", tmp_path / "h.837"
    writer = SplitWriter(str(clean), str(held), control_start=1)
    ok = record_for(raws[0])
    writer.add(ok, result_for(ok))
    broken = ClaimRecord("MADE-UP-9", Source("made-up.837", 88))
    writer.add(broken, result_for(broken, unreadable=True))
    json_claim = ClaimRecord("MADE-UP-J", Source("made-up.json", 1), Claim("MADE-UP-J", "837P", Source("made-up.json", 1)))
    writer.add(json_claim, result_for(json_claim))
    summary = writer.close()
    assert [(s.claim_id, s.segment) for s in summary.set_aside] == [("MADE-UP-9", 88), ("MADE-UP-J", 1)]
    assert "unreadable: broken" in "\n".join(summary.lines())
    assert "MADE-UP-9" not in clean.read_text() + held.read_text()
    assert envelope_problems(held.read_text()) == []  # an empty but valid interchange
    assert raw_claims(held.read_text()) == []


def test_claims_from_other_envelopes_start_a_new_group_or_interchange(tmp_path):
    raws = raw_claims(MADE_UP_837P)
    other_gs = dataclasses.replace(raws[1], gs=raws[1].gs.replace("005010X222A1", "005010X223A2"))
    other_isa = dataclasses.replace(raws[2], isa=raws[2].isa.replace("MADEUPRECEIVE  ", "MADEUPOTHER    "))
    clean, _, summary = split(tmp_path, [raws[0], other_gs, other_isa], [(), (), ()])
    assert envelope_problems(clean) == []
    tags = [s.split("*")[0] for s in segments_of(clean)[1]]
    assert tags.count("ISA") == 2 and tags.count("GS") == 3
    assert summary.clean_interchanges == 2
    assert [content(r) for r in raw_claims(clean)] == [content(r) for r in (raws[0], other_gs, other_isa)]


def test_other_delimiters_are_kept(tmp_path):
    text = MADE_UP_837P.replace("*", "|").replace("~", "'").replace(":", ">")
    text = text.replace("|^|", "|^|")
    raws = raw_claims(text)
    assert raws[0].element_sep == "|" and raws[0].segment_term == "'"
    clean, held, _ = split(tmp_path, raws, [(), (ERROR,), ()])
    assert [content(r) for r in raw_claims(clean) + raw_claims(held)] == [content(r) for r in (raws[0], raws[2], raws[1])]


def corpus_837_files(corpus: Path) -> list[Path]:
    broken = re.compile(r"bad_|missing_|segment_errors|segments_out_of_order|no_isa|ambiguous|loop_errors")
    files = []
    for path in sorted(corpus.iterdir()):
        if broken.search(path.name) or path.suffix == ".json":
            continue
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        if not text.lstrip("\ufeff \t\r\n").startswith("ISA"):
            continue
        _, segs = segments_of(text)
        sep = text.lstrip("\ufeff \t\r\n")[3]
        if any(s.split(sep)[0] == "ST" and s.split(sep)[1] == "837" and s.split(sep)[3:4] and s.split(sep)[3].startswith("005010")
               for s in segs):
            files.append(path)
    return files


def test_round_trip_on_every_005010_837_in_the_corpus(corpus_dir, tmp_path):
    files = corpus_837_files(corpus_dir)
    assert len(files) >= 20
    for path in files:
        text = path.read_text(encoding="utf-8", errors="surrogateescape")
        raws = raw_claims(text)
        n_clm = sum(1 for s in segments_of(text)[1] if s.split(text.lstrip("\ufeff \t\r\n")[3])[0] == "CLM")
        assert len(raws) == n_clm, path.name
        verdicts = [(ERROR,) if i % 2 else () for i in range(len(raws))]
        clean, held, _ = split(tmp_path, raws, verdicts)
        assert envelope_problems(clean) == [] and envelope_problems(held) == [], path.name
        assert [content(r) for r in raw_claims(clean)] == [content(r) for r in raws[0::2]], path.name
        assert [content(r) for r in raw_claims(held)] == [content(r) for r in raws[1::2]], path.name


def test_cited_segments_gives_the_drill_down_text_of_each_finding():
    from scrubber.model.segments import cited_segments

    raw = raw_claims(MADE_UP_837P)[0]
    rec = record_for(raw, segment=18)  # CLM*MADE-UP-1 is segment 18 of the fixture
    at_line = dataclasses.replace(ERROR, location_segment=21)
    elsewhere = dataclasses.replace(WARNING, location_segment=15)  # NM1*IL: shared subscriber loop
    assert cited_segments(rec, [at_line, elsewhere]) == ((21, "SV1*HC:99213*150*UN*1***1"),)
    assert segments_of(MADE_UP_837P)[1][20] == "SV1*HC:99213*150*UN*1***1"


def test_cited_segments_are_in_file_order_each_once_and_only_the_claims_own():
    from scrubber.model.segments import cited_segments

    raw = raw_claims(MADE_UP_837P)[0]
    rec = record_for(raw, segment=18)
    texts = segments_of(MADE_UP_837P)[1]
    last = 18 + len(rec.claim.raw.claim) - 1  # the claim's last segment; the next one is not its own
    cites = [last + 1, last, 21, 18, 21, 17, None]
    findings = [dataclasses.replace(ERROR, location_segment=n) for n in cites]
    assert cited_segments(rec, findings) == ((18, texts[17]), (21, texts[20]), (last, texts[last - 1]))
