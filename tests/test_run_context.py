"""A run's per-claim context (PreparedRun.context_for): the matching profile's context with the
profile's ``source.<param>`` citations and, with eligibility files, what the file says."""
import dataclasses

import pytest

from conftest import ROOT
from scrubber.config import claim_context
from scrubber.fields.coverage import enrich_coverage
from scrubber.fields.payer import profile_source_params
from scrubber.readers import iter_records
from scrubber.runsetup import load_run_settings, prepare_run

PAYER = ROOT / "fixtures" / "claims-payer"
ELIG = ROOT / "fixtures" / "eligibility"


def composed(run, claim):
    """The context spelled out from its parts, the way a run described it before it was made in one step."""
    ctx = claim_context(run.profiles, claim, forced=run.forced_payer, eligibility=run.eligibility)
    sources = profile_source_params(run.profiles.get(ctx.profile_id))
    return dataclasses.replace(ctx, params={**ctx.params, **sources},
                               coverage=enrich_coverage(claim, ctx.coverage, run.eligibility))


@pytest.mark.parametrize("batch, settings", [
    ("made-up-csv-claims.837", {"eligibility": (str(ELIG / "made-up-eligibility.csv"),)}),
    ("made-up-834-claims.837", {"eligibility": (str(ELIG / "made-up-834.x12"),), "payer": "medicare"}),
    ("made-up-prior-auth.837", {"profile_dirs": (str(PAYER / "profiles"),)}),
])
def test_each_claims_context_is_its_profiles_context_with_citations_and_coverage(batch, settings):
    run = prepare_run(load_run_settings(settings), workers=0)
    try:
        claims = [r.claim for r in iter_records([str(PAYER / batch)]) if getattr(r, "claim", None) is not None]
        assert claims
        for claim in claims + claims:  # a profile's citations are the same the second time
            ctx, expected = run.context_for(claim), composed(run, claim)
            assert ctx == expected and list(ctx.params) == list(expected.params), claim.claim_id
            assert any(k.startswith("source.") for k in ctx.params), claim.claim_id
        if run.eligibility is not None:
            assert any(run.context_for(c).coverage for c in claims)
    finally:
        run.close()
