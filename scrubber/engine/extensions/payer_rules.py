"""Derived fields for the eligibility and payer-policy packs (``rules/eligibility``, ``rules/payer``).

Why these exist: a rule tests one field; it does no date arithmetic and cannot
reach the eligibility index or the batch. So each question those packs ask is
answered here, once per fact, from what the engine already hands a derived field:

* **coverage** fields read the ``coverage`` fact's own dict (built by
  ``scrubber.eligibility.EligibilityIndex.check`` and enriched by
  ``enrich_coverage`` below with what the file says: the person's name and birth
  date, the primary payer, and where each sits). The shared field list is in
  ``scrubber/eligibility.py``'s docstring.
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
from typing import Any, Mapping, Optional

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


# ---- coverage ------------------------------------------------------------------------------------
class CoverageFact(dict):
    """The coverage dict plus ``locs``: which claim element each eligibility finding points at.

    ``scrubber.engine.findings`` reads ``obj.locs[loc_field]`` of the fact a rule is about; a
    coverage finding is about the claim's member id, payer id, name, birth date, SBR01 or the
    service date the coverage is missing on, so those claim locations are kept here.
    """

    locs: Mapping[str, Any]

    def __init__(self, data: Mapping, locs: Mapping[str, Any]):
        super().__init__(data)
        self.locs = dict(locs)


def _span_where(span) -> Optional[str]:
    from scrubber.eligibility import _where

    return _where(span)


def _file_person(claim, spans: list) -> Optional[Any]:
    """The file's span for the person ``_person_match`` compares the patient with (same choice)."""
    from scrubber.eligibility import _first_names_agree, _norm_first, _norm_name, _norm_rel, _patient_rel

    patient = claim.patient or claim.subscriber
    if patient is None or not spans:
        return None
    rel = _patient_rel(claim)
    same_rel = [s for s in spans if rel and _norm_rel(s.relationship) == rel]
    cands = same_rel or [s for s in spans if _norm_rel(s.relationship) is None] or list(spans)
    named = [s for s in cands if s.last_name]
    last, first = _norm_name(patient.last_name), _norm_first(patient.first_name)
    matched = [s for s in named if last and _norm_name(s.last_name) == last
               and _first_names_agree(_norm_first(s.first_name), first)]
    pool = matched or named or cands
    dated = [s for s in pool if s.birth_date]
    if patient.birth_date and dated:  # show the birth date that disagrees, from the person compared
        return next((s for s in dated if s.birth_date == patient.birth_date), dated[0])
    return pool[0]


def enrich_coverage(claim, coverage: Optional[Mapping], index) -> Optional[CoverageFact]:
    """``coverage`` (from ``index.check(claim)``) plus what the file says, and claim locations.

    Added fields: ``file_last_name``, ``file_first_name``, ``file_birth_date``, ``person_source``
    (the file's person compared with the patient); ``primary_payer_id``, ``primary_source``
    (another payer the file shows primary on the date); ``file_payer_order`` (that, or the claim's
    payer listed secondary / tertiary, in words with its place); ``active_payer_source`` (the span
    of the payer that is active when the claim's is not); ``payer_files`` (the files that list the
    claim's payer); ``claim_payer_id``.
    """
    if coverage is None:
        return None
    from scrubber.eligibility import _covers, _patient_spans, norm_member

    member = norm_member(claim.subscriber.member_id if claim.subscriber else None)
    spans = index.by_member.get(member, []) if (member and index is not None) else []
    payer = (claim.payer.payer_id or "").strip() if claim.payer else ""
    extra: dict = {"claim_payer_id": payer or None}
    person = _file_person(claim, spans)
    extra.update(
        file_last_name=person.last_name if person else None,
        file_first_name=person.first_name if person else None,
        file_birth_date=person.birth_date.isoformat() if person and person.birth_date else None,
        person_source=_span_where(person),
    )
    dos = _d(coverage.get("dos"))
    active = [s for s in _patient_spans(claim, spans) if s.active and dos is not None and _covers(s, dos)]
    primary = next((s for s in active if s.responsibility == "P" and s.payer_id and s.payer_id != payer), None)
    extra.update(primary_payer_id=primary.payer_id if primary else None, primary_source=_span_where(primary))
    other = next((s for s in active if s.payer_id and s.payer_id == coverage.get("active_payer_id")), None)
    extra["active_payer_source"] = _span_where(other)
    if primary is not None:
        extra["file_payer_order"] = f"payer {primary.payer_id} primary ({_span_where(primary)})"
    else:
        own = next((s for s in active if s.payer_id == payer and s.responsibility in ("S", "T")), None)
        word = {"S": "secondary", "T": "tertiary"}.get(own.responsibility if own else "", "")
        extra["file_payer_order"] = f"payer {payer} {word} ({_span_where(own)})" if own else None
    files = sorted({s.source_file for s in index.spans if s.payer_id == payer and s.source_file}) if index else []
    extra["payer_files"] = ", ".join(files) or None
    return CoverageFact({**coverage, **extra}, _claim_locs(claim, coverage))


def _claim_locs(claim, coverage: Mapping) -> dict:
    patient = claim.patient or claim.subscriber
    locs: dict = {}
    sub_locs = claim.subscriber.locs if claim.subscriber else {}
    pat_locs = patient.locs if patient else {}
    for key, src, name in (("member_id", sub_locs, "member_id"), ("last_name", pat_locs, "last_name"),
                           ("birth_date", pat_locs, "birth_date"),
                           ("payer_id", claim.payer.locs if claim.payer else {}, "payer_id"),
                           ("payer_responsibility", claim.locs, "payer_responsibility")):
        if name in src:
            locs[key] = src[name]
    dos = _d(coverage.get("dos"))
    line = next((ln for ln in claim.lines if ln.date_from == dos and "date_from" in ln.locs), None)
    if line is not None:
        locs["dos"] = line.locs["date_from"]
    elif "service_from" in claim.locs:
        locs["dos"] = claim.locs["service_from"]
    return locs


COVERAGE_KEYS = {"status_date": "dos"}  # derived name -> key of the coverage dict, where they differ


def _cov(name: str, ftype: str, loc: str, doc: str, convert=None):
    key = COVERAGE_KEYS.get(name, name)

    def func(inp: DeriveInput):
        v = inp.obj.get(key) if isinstance(inp.obj, dict) else None
        return convert(v) if convert is not None else v

    func.__doc__ = doc
    func.__name__ = f"coverage_{name}"
    derived_field("coverage", name, type=ftype, loc_field=loc)(func)


for _name, _type, _loc, _doc, _conv in (
    ("status", "text", "dos", "active, ended, not-started, inactive, not-on-file or unknown, for the claim's payer", None),
    ("coverage_gap", "bool", "dos", "No coverage on the date of service: the span ended, has not started, or is inactive", None),
    ("not_on_file", "bool", "member_id", "The file covers the claim's payer but has no span of it for this member", None),
    ("on_file", "bool", "member_id", "The member id has any span in the files, any payer", None),
    ("payer_covered", "bool", "payer_id", "The files speak for the claim's payer", None),
    ("status_date", "date", "dos", "The date the status refers to: the first date of service without coverage", _d),
    ("span_start", "date", "dos", "Start of the span the status rests on", _d),
    ("span_end", "date", "dos", "End of the span the status rests on (missing when open)", _d),
    ("span_source", "text", "dos", "Where that span is in the eligibility file (file:line or file: segment N)", None),
    ("payer_matches", "bool", "payer_id", "False when only another payer is active on the date", None),
    ("active_payer_id", "text", "payer_id", "The payer of the active span", None),
    ("active_payer_source", "text", "payer_id", "Where the other payer's active span is", None),
    ("claim_payer_id", "text", "payer_id", "The claim's payer id (2010BB NM109)", None),
    ("name_matches", "bool", "last_name", "The patient's name agrees with the file's person", None),
    ("birth_date_matches", "bool", "birth_date", "The patient's birth date agrees with the file's person", None),
    ("file_last_name", "text", "last_name", "The last name the file has for the person", None),
    ("file_first_name", "text", "last_name", "The first name the file has for the person", None),
    ("file_birth_date", "date", "birth_date", "The birth date the file has for the person", _d),
    ("person_source", "text", "last_name", "Where the file's person is", None),
    ("other_payer_primary", "bool", "payer_responsibility", "Another payer is primary on the date", None),
    ("primary_conflict", "bool", "payer_responsibility",
     "Billed as primary (SBR01 P) while the file shows another payer primary or this payer second", None),
    ("primary_payer_id", "text", "payer_responsibility", "The payer the file shows primary on the date", None),
    ("primary_source", "text", "payer_responsibility", "Where the primary payer's span is", None),
    ("file_payer_order", "text", "payer_responsibility",
     "What the file says about payer order on the date, with where: 'payer X primary (file:line)'", None),
    ("payer_files", "text", "member_id", "The eligibility files that list the claim's payer", None),
):
    _cov(_name, _type, _loc, _doc, _conv)


@derived_field("coverage", "plan_name", type="text", loc_field="dos")
def coverage_plan_name(inp: DeriveInput):
    """The span's plan as the file names it, or 'not named' (messages never print '(none)')."""
    obj = inp.obj if isinstance(inp.obj, dict) else {}
    return obj.get("plan") or "not named"


@derived_field("coverage", "span_dates", type="text", loc_field="dos")
def coverage_span_dates(inp: DeriveInput):
    """The span in words: '2024-01-01 to 2025-03-31', 'from 2025-01-01, open-ended', 'until 2025-03-31'."""
    obj = inp.obj if isinstance(inp.obj, dict) else {}
    start, end = _d(obj.get("span_start")), _d(obj.get("span_end"))
    if start and end:
        return f"{start.isoformat()} to {end.isoformat()}"
    if start:
        return f"from {start.isoformat()}, open-ended"
    if end:
        return f"until {end.isoformat()}"
    return "no dates given"


def _full_name(last, first) -> Optional[str]:
    return ", ".join(p for p in (last, first) if p) or None


@derived_field("coverage", "file_name", type="text", loc_field="last_name")
def coverage_file_name(inp: DeriveInput):
    """The file's person as 'LAST, FIRST'."""
    obj = inp.obj if isinstance(inp.obj, dict) else {}
    return _full_name(obj.get("file_last_name"), obj.get("file_first_name"))


@derived_field("coverage", "patient_name", type="text", loc_field="last_name")
def coverage_patient_name(inp: DeriveInput):
    """The claim's patient as 'LAST, FIRST' (2010CA, or 2010BA when the patient is the subscriber)."""
    p = inp.claim.patient or inp.claim.subscriber
    return _full_name(p.last_name, p.first_name) if p else None


@derived_field("coverage", "patient_birth_date", type="date", loc_field="birth_date")
def coverage_patient_birth_date(inp: DeriveInput):
    """The claim's patient's birth date (DMG02)."""
    p = inp.claim.patient or inp.claim.subscriber
    return p.birth_date if p else None


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


@derived_field("claim", "sex_edits_active", type="bool", loc_field="service_from")
def sex_edits_active(inp: DeriveInput):
    """Whether diagnosis/procedure-sex edits apply on the claim's first date of service under the
    profile's ``sex_edits`` (true when the profile says nothing). The coding pack's sex rules read it."""
    return _payer(inp)["sex_edits_active"]


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
def _frequency_over(inp: DeriveInput) -> Optional[dict]:
    """This line's over-limit record, or {} when within every limit; None when the profile sets none.

    The tracker lives on the engine's BatchIndex, and a claim is counted once, when its first line
    fact is built, so claims are counted in batch order exactly once.
    """
    from scrubber.config.frequency import FrequencyTracker

    limits = _param(inp, "frequency_limits")
    if not isinstance(limits, (list, tuple)) or not limits:
        return None
    state = inp.batch.__dict__.get("payer_frequency")
    if state is None:
        state = inp.batch.__dict__["payer_frequency"] = {"tracker": FrequencyTracker(), "claim": None}
    if state["claim"] is not inp.claim:
        over = state["tracker"].check_and_add(inp.claim, limits, lambda name, code: _valueset_contains(name, code))
        state["claim"], state["over"] = inp.claim, {o["line"]: o for o in over}
    return state["over"].get(inp.obj.number, {})


@derived_field("line", "frequency_exceeded", type="bool", loc_field="code")
def frequency_exceeded(inp: DeriveInput):
    """The member already had the profile's maximum of this service inside its window (batch so far)."""
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
