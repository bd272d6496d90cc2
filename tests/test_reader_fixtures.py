"""The bundled sample batch reads cleanly and carries exactly the defects its README lists."""
import sys

from conftest import ROOT
from scrubber.model import ClaimRecord
from scrubber.readers import input_files, iter_records

sys.path.insert(0, str(ROOT / "bench"))
from gen_837 import npi_check_digit  # noqa: E402

CLAIMS_DIR = ROOT / "fixtures" / "claims"


def sample():
    recs = list(iter_records([str(CLAIMS_DIR)]))
    assert all(isinstance(r, ClaimRecord) for r in recs), [r for r in recs if not isinstance(r, ClaimRecord)]
    return {r.claim_id: r for r in recs}


def test_sample_batch_is_well_formed_and_has_all_three_inputs():
    recs = sample()
    assert sorted(recs) == sorted(["MADE-UP-PRO-001", "MADE-UP-PRO-002", "MADE-UP-PRO-003", "MADE-UP-PRO-004", "MADE-UP-PRO-005",
                                   "MADE-UP-INS-001", "MADE-UP-INS-002", "MADE-UP-JSON-001", "MADE-UP-JSON-002"])
    assert all(r.findings == () and r.claim is not None for r in recs.values())
    assert {r.claim.kind for r in recs.values()} == {"837P", "837I"}
    assert not any(p.endswith("README.md") for p in input_files([str(CLAIMS_DIR)]))


def test_sample_defects_are_there_as_documented():
    c = {k: r.claim for k, r in sample().items()}
    line_sum = lambda claim: sum(l.charge for l in claim.lines)  # noqa: E731
    assert all(line_sum(c[k]) == c[k].total_charge for k in c if k != "MADE-UP-PRO-002")
    assert line_sum(c["MADE-UP-PRO-002"]) != c["MADE-UP-PRO-002"].total_charge
    bad_pointers = [k for k, claim in c.items() if any(p > len(claim.diagnoses) for l in claim.lines for p in l.dx_pointers)]
    assert bad_pointers == ["MADE-UP-PRO-003"]
    npis = {k: [p.npi for p in claim.providers if p.npi] for k, claim in c.items()}
    bad_npis = sorted(k for k, ns in npis.items() if any(n[-1] != npi_check_digit(n[:9]) for n in ns))
    assert bad_npis == ["MADE-UP-PRO-004"]
    pro5 = c["MADE-UP-PRO-005"]
    assert [(l.code, l.modifiers) for l in pro5.lines] == [("99214", ()), ("20610", ("RT",))]
    ins2 = c["MADE-UP-INS-002"]
    assert any(l.date_from > ins2.statement_to for l in ins2.lines)
    assert [d.code for d in c["MADE-UP-JSON-002"].diagnoses] == ["E11"]
