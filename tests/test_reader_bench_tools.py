"""bench/gen_837.py makes valid batches with real codes: the benchmarks and round trips rely on it."""
import io
import subprocess
import sys

import pytest

from conftest import ROOT
from scrubber.model import ClaimRecord
from scrubber.readers import read_stream

sys.path.insert(0, str(ROOT / "bench"))
import gen_837  # noqa: E402


def test_npi_check_digit_matches_the_cms_example():
    assert gen_837.npi_check_digit("123456789") == "3"  # 1234567893, CMS's published example NPI


def test_every_generator_icd10cm_code_is_billable():
    icd = pytest.importorskip("simple_icd_10_cm")
    assert [c for c in gen_837.ICD10CM if not (icd.is_valid_item(c) and icd.is_leaf(c))] == []


@pytest.mark.parametrize("kind", ["837P", "837I"])
def test_generated_batches_are_valid_and_varied(kind):
    data = gen_837.generate(300, seed=7, kind=kind, claims_per_transaction=120)
    recs = list(read_stream(io.BytesIO(data), "gen.837"))
    assert all(isinstance(r, ClaimRecord) for r in recs)
    assert len(recs) == 300 and len({r.claim_id for r in recs}) == 300
    assert [f for r in recs for f in r.findings] == []
    claims = [r.claim for r in recs]
    assert {c.kind for c in claims} == {kind}
    assert max(len(c.diagnoses) for c in claims) > 6 and min(len(c.diagnoses) for c in claims) == 1
    assert {len(c.lines) for c in claims} == {1, 2, 3, 4, 5, 6}
    assert all(c.total_charge == sum(l.charge for l in c.lines) for c in claims)
    assert len({c.payer.payer_id for c in claims}) > 3 and len({c.provider("billing").npi for c in claims}) > 2
    assert any(c.patient != c.subscriber for c in claims)
    npis = {p.npi for c in claims for p in c.providers}
    assert all(n[-1] == gen_837.npi_check_digit(n[:9]) for n in npis)
    if kind == "837P":
        assert any(l.modifiers for c in claims for l in c.lines)
        assert 2.6 < sum(len(c.lines) for c in claims) / len(claims) < 3.4
    else:
        assert any(d.poa for c in claims for d in c.diagnoses) and all(l.revenue_code for c in claims for l in c.lines)


def test_generator_is_deterministic_and_has_a_cli(tmp_path):
    assert gen_837.generate(20, seed=3) == gen_837.generate(20, seed=3) != gen_837.generate(20, seed=4)
    out = tmp_path / "b.837"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen_837.py"), "25", "--kind", "837I", "-o", str(out)], check=True)
    assert out.read_bytes() == gen_837.generate(25, kind="837I")
