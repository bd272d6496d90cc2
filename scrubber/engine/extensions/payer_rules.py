"""Derived fields for the payer-policy pack (``rules/payer``); the eligibility pack's are in
``payer_coverage.py``. Field list for rule authors: ``docs/payer-rules.md``.

Why these exist: a rule tests one field; it does no date arithmetic and cannot
reach the profile's citations or the batch. So each question the pack asks is
answered here, once per fact, from what the engine already hands a derived field:

* **claim** payer-policy fields are computed from the profile's *raw* parameters
  (``ClaimContext.params``: ``timely_filing``, ``member_id_pattern``, ...) with
  ``scrubber.config.payer_params``, so a rule's own test case that gives
  ``context: {params: {timely_filing: {months: 12}}}`` exercises the real calendar
  arithmetic, and the CLI (whose context also holds the precomputed ``derived.*``
  keys) gets the same answer from the same function.
* **line** fields: prior authorization at the level the profile names (claim
  2300 REF*G1 or line 2400 REF*G1), and frequency limits counted across the
  batch with ``scrubber.config.frequency.FrequencyTracker``, which is kept on the
  engine's ``BatchIndex`` (one per run; claim N sees claims 0..N-1).

The profile's source citations arrive as ``source.<param>`` keys of
``ClaimContext.params`` (added by ``scrubber.runsetup`` via ``profile_source_params``).
"""
from __future__ import annotations

from datetime import date
from typing import Mapping, Optional

from scrubber.rulespec.registry import DeriveInput, derived_field

SOURCE_PREFIX = "source."
BASIS_WORDS = {
    "date_of_service": "the date of service",
    "end_of_calendar_year": "the end of the calendar year of service",
    "prior_payer_adjudication": "the prior payer's adjudication date (2330B DTP*573)",
}


def _d(v) -> Optional[date]:
    if v is None or isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        return None


# ---- claim: payer parameters ---------------------------------------------------------------------
_MEMO: list = [None, None, None]  # (claim, context, facts): one claim's payer facts, reused by its fields


def _payer(inp: DeriveInput) -> dict:
    from scrubber.config.payer_params import payer_facts

    if _MEMO[0] is inp.claim and _MEMO[1] is inp.context:
        return _MEMO[2]
    params = dict(inp.context.params or {})
    facts = payer_facts(inp.claim, params, _d(params.get("derived.filing_date")))
    _MEMO[:] = [inp.claim, inp.context, facts]
    return facts


def _param(inp: DeriveInput, name: str):
    return (inp.context.params or {}).get(name)


def _source(inp: DeriveInput, name: str) -> str:
    return str(_param(inp, SOURCE_PREFIX + name) or f"payer profile '{inp.context.profile_id}', params.{name}")


@derived_field("claim", "tf_filed_late", type="bool", loc_field="created")
def tf_filed_late(inp: DeriveInput):
    """Filed after the profile's timely-filing deadline (missing when no limit or no dates)."""
    return _payer(inp)["filed_late"]


@derived_field("claim", "tf_days_late", type="number", loc_field="created")
def tf_days_late(inp: DeriveInput):
    """Calendar days from the deadline to the filing date (> 0 when late)."""
    return _payer(inp)["days_past_deadline"]


@derived_field("claim", "tf_deadline", type="date", loc_field="created")
def tf_deadline(inp: DeriveInput):
    """The last timely filing day under the profile's ``timely_filing``."""
    return _d(_payer(inp)["timely_filing_deadline"])


@derived_field("claim", "tf_filing_date", type="date", loc_field="created")
def tf_filing_date(inp: DeriveInput):
    """The filing date compared: the claim's creation date (BHT04) unless the run gives another."""
    return _d(_payer(inp)["filing_date"])


@derived_field("claim", "tf_dos", type="date", loc_field="service_from")
def tf_dos(inp: DeriveInput):
    """The date of service timely filing counts from (earliest line From; 837I statement Through)."""
    return _d(_payer(inp)["timely_filing_dos"])


@derived_field("claim", "tf_basis", type="text", loc_field="created")
def tf_basis(inp: DeriveInput):
    """The limit in words with the date it counts from: '12 months from the date of service 2024-01-02'."""
    from scrubber.config.payer_params import prior_adjudication_date

    tf = _param(inp, "timely_filing")
    dos = _d(_payer(inp)["timely_filing_dos"])
    if not isinstance(tf, Mapping) or dos is None:
        return None
    amount = f"{tf['months']} months" if tf.get("months") is not None else f"{tf.get('days')} days"
    origin = str(tf.get("from", "date_of_service"))
    if origin == "end_of_calendar_year":
        start = f"{dos.year}-12-31"
    elif origin == "prior_payer_adjudication":
        adjudicated = prior_adjudication_date(inp.claim)
        if adjudicated is None:
            return f"{amount} from the date of service {dos.isoformat()} (no prior payer adjudication date, 2330B DTP*573, on the claim)"
        start = adjudicated.isoformat()
    else:
        start = dos.isoformat()
    return f"{amount} from {BASIS_WORDS.get(origin, origin)} {start}"


@derived_field("claim", "tf_source", type="text", loc_field="created")
def tf_source(inp: DeriveInput):
    """The profile's citation for its timely-filing limit."""
    return _source(inp, "timely_filing") if _param(inp, "timely_filing") else None


# On the patient fact so a finding points at 2010BA NM109 when the patient is the subscriber.
@derived_field("patient", "member_id_fits_pattern", type="bool", loc_field="member_id")
def member_id_fits_pattern(inp: DeriveInput):
    """The subscriber's member id (2010BA NM109) matches the profile's member_id_pattern."""
    return _payer(inp)["member_id_valid"]


@derived_field("patient", "subscriber_member_id", type="text", loc_field="member_id")
def subscriber_member_id(inp: DeriveInput):
    """The subscriber's member id as sent (2010BA NM109)."""
    return inp.claim.subscriber.member_id if inp.claim.subscriber else None


@derived_field("patient", "member_id_source", type="text", loc_field="member_id")
def member_id_source(inp: DeriveInput):
    """The profile's citation for its member id format."""
    return _source(inp, "member_id_pattern") if _param(inp, "member_id_pattern") else None


@derived_field("claim", "referral_missing", type="bool", loc_field="referral_number")
def referral_missing(inp: DeriveInput):
    """The profile requires a referral and the claim has no REF*9F."""
    return _payer(inp)["referral_missing"]


@derived_field("claim", "referral_source", type="text", loc_field="referral_number")
def referral_source(inp: DeriveInput):
    """The profile's citation for requiring referrals."""
    return _source(inp, "referral_required") if _param(inp, "referral_required") is not None else None


# ---- line: prior authorization -------------------------------------------------------------------
WHERE_WORDS = {"claim": "claim level (2300 REF*G1)", "line": "line level (2400 REF*G1)"}


def _in_procedures(code: Optional[str], procedures) -> bool:
    """A code in a profile's procedure list (codes and ranges) or in a named value set."""
    from scrubber.config.payer_params import code_in_list

    if isinstance(procedures, (list, tuple)):
        return code_in_list(code, procedures)
    return bool(code) and _valueset_contains(str(procedures), code)


_VALUESETS: dict = {}


def register_valuesets(valuesets: Mapping) -> None:
    """Make the run's loaded value sets (standard and ``--rules`` directories) known to profiles."""
    _VALUESETS.update(valuesets)


def profile_valueset_problems(profiles, valuesets: Mapping) -> list[str]:
    """``file:line`` problems for profile parameters naming a value set that no rule directory has.

    Checked before the first claim (exit 2), like rule ids a profile names: a prior-auth list that
    silently matches nothing is a payer rule that never runs.
    """
    problems = []
    for pid in profiles.ids():
        params = profiles.get(pid).params
        named = []
        pa = params.get("prior_auth")
        if pa is not None and isinstance(pa.value, Mapping) and isinstance(pa.value.get("procedures"), str):
            named.append(("params.prior_auth.procedures", pa.value["procedures"], pa.origin))
        fl = params.get("frequency_limits")
        for k, limit in enumerate(fl.value if fl is not None and isinstance(fl.value, list) else []):
            if isinstance(limit, Mapping) and isinstance(limit.get("procedures"), str):
                named.append((f"params.frequency_limits[{k}].procedures", limit["procedures"], fl.origin))
        for where, name, origin in named:
            if name not in valuesets:
                problems.append(f"{origin}: {where} names value set '{name}', which no rule directory defines "
                                f"(rules/valuesets/<name>.yaml); known: {', '.join(sorted(valuesets)) or 'none'}")
    return sorted(set(problems))


def _valueset_contains(name: str, code: str) -> bool:
    """Membership in a value set a profile names: the run's loaded sets, else the standard directory.

    Derived fields do not see the engine's packs, so ``runsetup`` registers them here; rule test
    cases (no run) fall back to ``rules/valuesets/<name>.yaml``. An unknown name raises: the engine
    reports it as a rule error naming the rules that may miss findings, never a silent pass.
    """
    vs = _VALUESETS.get(name)
    if vs is None:
        from scrubber.rulespec.packs import _load_valueset, default_rule_dirs

        problems: list = []
        for root in default_rule_dirs():
            path = root / "valuesets" / f"{name}.yaml"
            if path.is_file():
                vs = _load_valueset(path, problems)
                break
        if vs is None or problems:
            raise LookupError(f"value set '{name}' named by the payer profile is not in rules/valuesets "
                              + "; ".join(problems))
        _VALUESETS[name] = vs
    return vs.contains(code)


def _prior_auth(inp: DeriveInput) -> Optional[dict]:
    pa = _param(inp, "prior_auth")
    if not isinstance(pa, Mapping) or "procedures" not in pa:
        return None
    return pa


@derived_field("line", "prior_auth_required", type="bool", loc_field="code")
def prior_auth_required(inp: DeriveInput):
    """The line's procedure is on the profile's prior-authorization list (missing when the profile has none)."""
    pa = _prior_auth(inp)
    return None if pa is None else _in_procedures(inp.obj.code, pa["procedures"])


@derived_field("line", "prior_auth_missing", type="bool", loc_field="code")
def prior_auth_missing(inp: DeriveInput):
    """The line needs prior authorization and there is no REF*G1 where the profile says it must be
    (``where: claim`` -> 2300 REF*G1; ``where: line`` -> this line's 2400 REF*G1)."""
    pa = _prior_auth(inp)
    if pa is None or not _in_procedures(inp.obj.code, pa["procedures"]):
        return None if pa is None else False
    if pa.get("where") == "line":
        return not getattr(inp.obj, "prior_authorization", None)
    return not inp.claim.prior_authorization


@derived_field("line", "prior_auth_where", type="text", loc_field="code")
def prior_auth_where(inp: DeriveInput):
    """Where the profile wants the prior-authorization number, in words."""
    pa = _prior_auth(inp)
    return None if pa is None else WHERE_WORDS.get(str(pa.get("where", "claim")), str(pa.get("where")))


@derived_field("line", "prior_auth_source", type="text", loc_field="code")
def prior_auth_source(inp: DeriveInput):
    """The profile's citation for its prior-authorization list."""
    return None if _prior_auth(inp) is None else _source(inp, "prior_auth")


# ---- line: frequency limits across the batch ------------------------------------------------------
FREQUENCY_STATE = "payer_frequency"  # the attribute of the engine's BatchIndex the tracker lives in


def use_frequency_tracker(batch, tracker) -> None:
    """Count frequency limits with ``tracker`` on the engine's BatchIndex ``batch`` (before the first
    claim): a run with a ledger gives one seeded with the ledger's history (``runsetup``)."""
    batch.__dict__[FREQUENCY_STATE] = {"tracker": tracker, "claim": None}


def frequency_tracker(batch):
    """The tracker counting this batch (None before any line under a limit was seen)."""
    state = batch.__dict__.get(FREQUENCY_STATE)
    return None if state is None else state["tracker"]


def _frequency_over(inp: DeriveInput) -> Optional[dict]:
    """This line's over-limit record, or {} when within every limit; None when the profile sets none.

    The tracker lives on the engine's BatchIndex, and a claim is counted once, when its first line
    fact is built, so claims are counted in batch order exactly once.
    """
    from scrubber.config.frequency import FrequencyTracker

    limits = _param(inp, "frequency_limits")
    if not isinstance(limits, (list, tuple)) or not limits:
        return None
    state = inp.batch.__dict__.get(FREQUENCY_STATE)
    if state is None:
        use_frequency_tracker(inp.batch, FrequencyTracker())
        state = inp.batch.__dict__[FREQUENCY_STATE]
    if state["claim"] is not inp.claim:
        over = state["tracker"].check_and_add(inp.claim, limits, lambda name, code: _valueset_contains(name, code))
        state["claim"], state["over"] = inp.claim, {o["line"]: o for o in over}
    return state["over"].get(inp.obj.number, {})


@derived_field("line", "frequency_exceeded", type="bool", loc_field="code")
def frequency_exceeded(inp: DeriveInput):
    """The member already had the profile's maximum of this service inside its window (this batch so
    far and, with a ledger, earlier runs)."""
    over = _frequency_over(inp)
    return None if over is None else bool(over)


@derived_field("line", "frequency_prior_count", type="number", loc_field="code")
def frequency_prior_count(inp: DeriveInput):
    """How many of these services the member already had inside the window."""
    over = _frequency_over(inp)
    return over.get("prior_count") if over else None


@derived_field("line", "frequency_max", type="number", loc_field="code")
def frequency_max(inp: DeriveInput):
    """The limit's maximum count."""
    over = _frequency_over(inp)
    return over.get("max") if over else None


@derived_field("line", "frequency_per_days", type="number", loc_field="code")
def frequency_per_days(inp: DeriveInput):
    """The limit's window in days."""
    over = _frequency_over(inp)
    return over.get("per_days") if over else None


@derived_field("line", "frequency_window_start", type="date", loc_field="code")
def frequency_window_start(inp: DeriveInput):
    """First day of the window that ends on this line's date."""
    over = _frequency_over(inp)
    return _d(over.get("window_start")) if over else None


@derived_field("line", "frequency_source", type="text", loc_field="code")
def frequency_source(inp: DeriveInput):
    """The profile's citation for its frequency limits."""
    return None if _frequency_over(inp) is None else _source(inp, "frequency_limits")


def profile_source_params(profile) -> dict:
    """``source.<param>`` -> citation for every parameter the profile cites (for ClaimContext.params)."""
    return {SOURCE_PREFIX + k: v for k, v in (getattr(profile, "sources", None) or {}).items()}


# Which profile parameter each payer-policy field answers from (for ``rules list --payer``).
PARAM_OF_FIELD = {
    ("claim", "tf_filed_late"): "timely_filing", ("claim", "tf_days_late"): "timely_filing",
    ("claim", "tf_deadline"): "timely_filing", ("patient", "member_id_fits_pattern"): "member_id_pattern",
    ("claim", "referral_missing"): "referral_required", ("line", "prior_auth_missing"): "prior_auth",
    ("line", "prior_auth_required"): "prior_auth", ("line", "frequency_exceeded"): "frequency_limits",
}


def params_needed(rule) -> set[str]:
    """The profile parameters without which ``rule`` can never fire (its tests read nothing else)."""
    from scrubber.rulespec.model import walk

    out = set()
    for test in walk(rule.when):
        alias = rule.aliases.get(test.alias)
        param = PARAM_OF_FIELD.get((alias.fact_type if alias else test.alias, test.field))
        if param:
            out.add(param)
    return out
