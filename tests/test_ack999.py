"""999 acknowledgements: valid per pyx12, the same IK3/IK4 as pyx12's own 999, counts and control numbers."""
from __future__ import annotations

import io
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ack_pyx12 import ik_entries, own_999, segments, validate
from scrubber.readers.x12.rules import RULES
from scrubber.writers import ack_codes
from scrubber.writers.ack999 import parse_location, write_999
from scrubber.writers.ack_x12 import AckStamp
from datadir import seeded

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "claims"
STAMP_WHEN = datetime(2026, 1, 2, 3, 4, tzinfo=timezone.utc)

# Where claimscrub's 999 and pyx12's own 999 differ on purpose (checked, not hidden: the
# comparison test below removes exactly these before comparing).
KNOWN_DIFFERENCES = {
    # pyx12 checks X12 syntax notes (paired / conditional elements, P0809); claimscrub's reader
    # does not check syntax notes, so it has no finding to acknowledge there.
    ("NM1", "P0809"): "syntax notes are not checked by the claimscrub reader",
    # For a missing required segment pyx12 names the segment where it noticed the absence (the next
    # line's LX); claimscrub names the first segment of the loop that lacks it (the line's own LX),
    # which is where its finding points and what the biller has to fix.
    ("DTP", "3"): "missing segment: position of the loop that lacks it, not of the next segment",
}


def stamp(first=100):
    return AckStamp(STAMP_WHEN, first)


def scrub(paths):
    from scrubber.cli.scrub_cmd import build_scrub_options
    from scrubber.pipeline import run_scrub

    opts = build_scrub_options([str(p) for p in paths])
    opts.ack_details = True  # what `scrub --ack-277ca` asks for
    return run_scrub(opts)


def made_up_broken_837(path: Path, edits) -> Path:
    """A copy of the made-up fixture professional.837 with ``edits`` (old -> new segment, first
    match; new None deletes it), SE01 recounted so only the edits are wrong."""
    segs = [s.strip() for s in (FIXTURES / "professional.837").read_text().split("~") if s.strip()]
    for old, new in edits:
        i = next(k for k, s in enumerate(segs) if s.startswith(old))
        if new is None:
            del segs[i]
        else:
            segs[i] = new
    st = next(k for k, s in enumerate(segs) if s.startswith("ST*"))
    se = next(k for k, s in enumerate(segs) if s.startswith("SE*"))
    segs[se] = f"SE*{se - st + 1}*{segs[se].split('*')[2]}"
    path.write_text("~\n".join(segs) + "~\n")
    return path


BROKEN_EDITS = [
    ("CLM*MADE-UP-PRO-001*148.00", "CLM*MADE-UP-PRO-001*14X.00***11:B:1*Y*A*Y*Y"),  # not a number
    ("DTP*472*D8*20250224", "DTP*472*D8*20251340"),  # no 40th of the 13th month
    ("DMG*D8*19700412*F", "DMG*D8*19700412*Q"),  # not a sex code
    ("SV1*HC:36415*12.00*UN*1", "SV1*HC:36415*12.00*UN*X***1"),  # units not a number
]


def _insert_unknown(path: Path) -> None:
    text = path.read_text().replace("HI*ABK:E119*ABF:I10~\n", "HI*ABK:E119*ABF:I10~\nZZZ*1~\n", 1)
    st_to_se = text.split("ST*837*0001*005010X222A1~\n", 1)[1].split("SE*")[0]
    count = st_to_se.count("~") + 2
    head, tail = text.rsplit("SE*", 1)
    path.write_text(head + f"SE*{count}*" + tail.split("*", 1)[1])


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    d = tmp_path_factory.mktemp("broken")
    path = made_up_broken_837(d / "made-up-broken.837", BROKEN_EDITS)
    _insert_unknown(path)
    return path


@pytest.fixture(scope="module")
def isolated(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMSCRUB_DATA_DIR", str(seeded(tmp_path_factory.mktemp("data"))))
        yield


def ack_text(result, first=100) -> str:
    out = io.StringIO()
    write_999(result.claims, result.errors, out, stamp(first))
    return out.getvalue()


def test_every_structure_rule_has_a_999_mapping():
    mapped = set(ack_codes.SEGMENT_CODES) | set(ack_codes.TRANSACTION_CODES) | set(ack_codes.GROUP_CODES) | ack_codes.NOT_IN_999
    assert set(RULES) - mapped == set()


def test_element_reference_numbers_are_the_guides(tmp_path):
    """Every IK402 in the table is the data element number pyx12's 837P / 837I maps give."""
    import xml.etree.ElementTree as ET
    import pyx12

    found: dict[str, set] = {}
    for name in ("837.5010.X222.A1.xml", "837Q3.I.5010.X223.A1.xml"):
        root = ET.parse(Path(pyx12.__file__).parent / "map" / name).getroot()
        for seg in root.iter("segment"):
            for e in seg:
                if e.tag == "element":
                    found.setdefault(e.get("xid"), set()).add(e.findtext("data_ele"))
                elif e.tag == "composite":
                    for i, sub in enumerate(e.findall("element"), 1):
                        found.setdefault(f"{e.get('xid')}-{i}", set()).add(sub.findtext("data_ele"))
    for key, ref in ack_codes.ELEMENT_REFS.items():
        assert found.get(key) == {ref}, key
    assert found["HI01-2"] == {ack_codes.element_ref("HI", 1, 2)}


def test_parse_location():
    assert parse_location("2400[2]/SV101-2") == parse_location("2400/SV101-2")
    loc = parse_location("2320[1]/2330B/NM109")
    assert (loc.loop, loc.segment_id, loc.element, loc.component) == ("2330B", "NM1", 9, None)
    loc = parse_location("2300/CLM05-1")
    assert (loc.loop, loc.segment_id, loc.element, loc.component) == ("2300", "CLM", 5, 1)


def test_broken_837_ik3_ik4_match_pyx12(broken, isolated):
    ours = ack_text(scrub([broken]))
    assert validate_text(ours, broken.parent / "ours.999") == []
    theirs = own_999(broken)
    assert ik_entries(ours) == ik_entries(theirs)
    assert len(ik_entries(ours)) == 5
    seg = segments(ours)
    assert ["IK5", "R", "5"] in seg
    assert ["CTX", "CLM01:MADE-UP-PRO-001"] in seg
    assert next(s for s in seg if s[0] == "AK9") == ["AK9", "R", "1", "1", "0"]


def test_known_differences_with_pyx12_are_the_listed_ones(tmp_path, isolated):
    path = made_up_broken_837(tmp_path / "made-up-broken2.837", [
        ("NM1*82*1*MADEUP*JORDAN", "NM1*82*1*MADEUP*JORDAN****XX"),  # NM108 without NM109 (syntax note)
        ("DTP*472*D8*20250224", None),  # the first line's service date is gone
    ])
    ours, theirs = ik_entries(ack_text(scrub([path]))), ik_entries(own_999(path))
    only_ours = [e for e in ours if e not in theirs]
    only_theirs = [e for e in theirs if e not in ours]
    assert {(e[0], e[2]) for e in only_ours} <= {("DTP", "3")}
    for e in only_theirs:
        assert (e[0], "P0809") in KNOWN_DIFFERENCES or (e[0], e[2]) in KNOWN_DIFFERENCES, e


def validate_text(text: str, path: Path) -> list[str]:
    path.write_text(text)
    return validate(path)


def _check_envelopes(text: str) -> None:
    segs = segments(text)
    isa = [s[13] for s in segs if s[0] == "ISA"]
    assert len(isa) == len(set(isa)) and isa
    stack = []
    for s in segs:
        if s[0] in ("ISA", "GS", "ST"):
            stack.append((s, 0))
        elif s[0] in ("IEA", "GE", "SE"):
            head, count = stack.pop()
            control = {"ISA": 13, "GS": 6, "ST": 2}[head[0]]
            assert s[2] == head[control]
            if s[0] == "SE":
                assert int(s[1]) == count + 1
        if stack and s[0] not in ("ISA", "GS", "ST") and stack[-1][0][0] == "ST" and s[0] != "SE":
            stack[-1] = (stack[-1][0], stack[-1][1] + 1)
        elif stack and s[0] == "ST":
            stack[-1] = (stack[-1][0], 1)


def test_fixtures_999_valid_and_counts(tmp_path, isolated):
    both = tmp_path / "two-interchanges.837"  # one file, two interchanges (837P and 837I)
    both.write_bytes((FIXTURES / "professional.837").read_bytes() + (FIXTURES / "institutional.837").read_bytes())
    result = scrub([both, FIXTURES / "claims.json"])
    text = ack_text(result)
    assert validate_text(text, tmp_path / "a.999") == []
    _check_envelopes(text)
    segs = segments(text)
    assert [s[2] for s in segs if s[0] == "AK1"] == ["501", "502"]  # each names its group's GS06
    assert [s[3] for s in segs if s[0] == "AK2"] == ["005010X222A1", "005010X223A2"]
    assert all(s[2] == s[3] == "1" for s in segs if s[0] == "AK9")
    # the acknowledgement goes back to the sender
    assert segs[0][6].strip() == "MADEUPRECEIVE" and segs[0][8].strip() == "MADEUPSUBMIT"


def test_rerun_same_999(tmp_path, isolated):
    a = ack_text(scrub([FIXTURES / "professional.837"]))
    b = ack_text(scrub([FIXTURES / "professional.837"]))
    assert a == b
    c = ack_text(scrub([FIXTURES / "professional.837"]), first=7)
    assert a != c and [s for s in segments(a) if s[0] in ("AK1", "AK2", "IK5", "AK9")] == \
        [s for s in segments(c) if s[0] in ("AK1", "AK2", "IK5", "AK9")]


def test_unreadable_claim_rejects_its_transaction(tmp_path, isolated):
    path = made_up_broken_837(tmp_path / "made-up-unreadable.837", [
        ("CLM*MADE-UP-PRO-002*", "CLM**190.00***11:B:1*Y*A*Y*Y")])  # no claim id: unreadable
    result = scrub([path])
    assert sum(c.status == "unreadable" for c in result.claims) == 1
    text = ack_text(result)
    assert validate_text(text, tmp_path / "u.999") == []
    segs = segments(text)
    clm = next(s for s in segs if s[0] == "IK3" and s[1] == "CLM")
    assert clm[4] == "8"
    assert ["IK5", "R", "5"] in segs


def test_group_errors_reach_ak9(tmp_path, isolated):
    text = (FIXTURES / "professional.837").read_text().replace("GE*1*501", "GE*2*501")
    path = tmp_path / "made-up-ge01.837"
    path.write_text(text)
    ack = ack_text(scrub([path]))
    assert validate_text(ack, tmp_path / "g.999") == []
    ak9 = next(s for s in segments(ack) if s[0] == "AK9")
    assert ak9[1] == "R" and ak9[5] == ack_codes.GROUP_CODES["X12-GE01"]
    assert ak9[2:4] == ["2", "1"]  # GE01 as received; the one transaction set received


@pytest.fixture(scope="module")
def corpus_result(isolated, tmp_path_factory):
    from conftest import CORPUS

    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/x12 is absent (a user's own clone); CI has it")
    d = tmp_path_factory.mktemp("corpus")
    for p in sorted(CORPUS.glob("*837*")):
        shutil.copy(p, d / p.name)
    return scrub([d])


def test_corpus_999_valid(corpus_result, tmp_path):
    text = ack_text(corpus_result)
    assert validate_text(text, tmp_path / "corpus.999") == []
    _check_envelopes(text)
    segs = segments(text)
    n_tx = len({(c.source_path, c.envelope.interchange_control, c.envelope.group_control, c.envelope.transaction_control)
                for c in corpus_result.claims if c.envelope is not None})
    assert sum(s[0] == "AK2" for s in segs) == n_tx
    assert sum(int(s[3]) for s in segs if s[0] == "AK9") == n_tx
