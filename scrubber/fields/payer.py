"""Derived fields for the payer-policy pack (``rules/payer``); the eligibility pack's are in
``coverage.py``. Field list for rule authors: ``docs/payer-rules.md``.

Why these exist: a rule tests one field; it does no date arithmetic and cannot
reach the profile's citations or the batch. So each question the pack asks is
answered here, once per fact, from what the engine already hands a derived field:

* **claim** payer-policy fields are computed from the profile's *raw* parameters
  (``ClaimContext.params``: ``timely_filing``, ``member_id_pattern``, ...) with
  ``scrubber.fields.payer_params``, so a rule's own test case that gives
  ``context: {params: {timely_filing: {months: 12}}}`` exercises the real calendar
  arithmetic; the CLI's context already holds them as ``derived.*`` keys (computed once,
  by ``Profile.context``, with the same function), which are read, not recomputed.
* **line** fields: prior authorization at the level the profile names (claim
  2300 REF*G1 or line 2400 REF*G1), and frequency limits counted across the
  batch with ``scrubber.fields.frequency.FrequencyTracker``, kept in the run's batch state
  (the ``payer.frequency`` slot of ``scrubber.engine.batch.BatchState``; claim N sees claims 0..N-1).

The profile's source citations arrive as ``source.<param>`` keys of
``ClaimContext.params`` (added by ``scrubber.runsetup`` via ``profile_source_params``).

Most fields have one of three shapes: a key of ``payer_facts`` (``_from_payer_facts``), the
profile's citation for a parameter when the profile sets it (``_citation``), or a key of the
line's frequency over-limit record (``_from_frequency``). ``PAYER_FIELDS`` at the end lists
every field once, in registration order, with the parameter it cannot fire without (which
``rules list --payer`` reads as ``PARAM_OF_FIELD``).
"""
from __future__ import annotations

from collections import abc
from datetime import date
from typing import Any, Callable, Mapping, Optional

from scrubber.fields.registry import DeriveInput, batch_slot, derived_field
from scrubber.model.words import did_you_mean

SOURCE_PREFIX = "source."
BASIS_WORDS = {
    "date_of_service": "the date of service",
    "end_of_calendar_year": "the end of the calendar year of service",
    "prior_payer_adjudication": "the prior payer's adjudication date (2330B DTP*573)",
}


def as_date(v) -> Optional[date]:
    """A date, an ISO date text or None -> a date or None (text that is no date -> None)."""
    if v is None or isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        return None



# ---- claim: payer parameters ---------------------------------------------------------------------
def _payer(inp: DeriveInput) -> dict:
    """The claim's payer facts, kept in the claim's scratch.

    One computation per claim: a run's context already holds them as ``derived.<name>`` keys
    (``Profile.context`` computed them with ``payer_params.payer_facts``), so they are read from
    there; a context without them (a rule's own test case, a claim built outside a run) gets
    them from the same function here.
    """
    memo = inp.batch.claim_memo
    hit = memo.get("payer.facts")
    if hit is not None and hit[0] is inp.context:
        return hit[1]
    from scrubber.fields.payer_params import derived_payer_facts  # here, not above: a memo hit is most calls

    facts = derived_payer_facts(inp.claim, inp.context.params or {})
    memo["payer.facts"] = (inp.context, facts)
    return facts


def _param(inp: DeriveInput, name: str):
    return (inp.context.params or {}).get(name)


def _source(inp: DeriveInput, name: str) -> str:
    return str(_param(inp, SOURCE_PREFIX + name) or f"payer profile '{inp.context.profile_id}', params.{name}")


def tf_basis(inp: DeriveInput):
    """The limit in words with the date it counts from: '12 months from the date of service' (that date
    is ``tf_dos``, which the message names), '12 months from the end of the calendar year of service
    2024-12-31', '90 days from the prior payer's adjudication date (2330B DTP*573) 2025-05-01'."""
    from scrubber.fields.payer_params import prior_adjudication_date

    tf = _param(inp, "timely_filing")
    dos = as_date(_payer(inp)["timely_filing_dos"])
    if not isinstance(tf, abc.Mapping) or dos is None:
        return None
    amount = f"{tf['months']} months" if tf.get("months") is not None else f"{tf.get('days')} days"
    origin = str(tf.get("from", "date_of_service"))
    if origin == "end_of_calendar_year":
        start = f"{dos.year}-12-31"
    elif origin == "prior_payer_adjudication":
        adjudicated = prior_adjudication_date(inp.claim)
        if adjudicated is None:
            return f"{amount} from the date of service (no prior payer adjudication date, 2330B DTP*573, on the claim)"
        start = adjudicated.isoformat()
    else:
        return f"{amount} from {BASIS_WORDS.get(origin, origin)}"
    return f"{amount} from {BASIS_WORDS.get(origin, origin)} {start}"


def subscriber_member_id(inp: DeriveInput):
    """The subscriber's member id as sent (2010BA NM109)."""
    return inp.claim.subscriber.member_id if inp.claim.subscriber else None


# ---- line: prior authorization -------------------------------------------------------------------
WHERE_WORDS = {"claim": "claim level (2300 REF*G1)", "line": "line level (2400 REF*G1)"}


def _in_procedures(batch, code: Optional[str], procedures) -> bool:
    """A code in a profile's procedure list (codes and ranges) or in a named value set."""
    from scrubber.fields.payer_params import code_in_list

    if isinstance(procedures, (list, tuple)):
        return code_in_list(code, procedures)
    return bool(code) and _valueset_contains(batch, str(procedures), code)


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
                problems.append(f"{origin}: {where} names value set '{name}'{did_you_mean(name, valuesets)}, which no rule directory defines "
                                f"(rules/valuesets/<name>.yaml); known: {', '.join(sorted(valuesets)) or 'none'}")
    return sorted(set(problems))


def _valueset_contains(batch, name: str, code: str) -> bool:
    """Membership in a value set a profile names, from the run's batch state.

    ``BatchState.valueset`` (the engine's) holds the run's loaded sets and falls back to the
    standard ``rules/valuesets/<name>.yaml`` for a claim built outside a run; this stage does not
    read rule files itself. An unknown name raises LookupError: the engine reports it as a rule
    error naming the rules that may miss findings, never a silent pass.
    """
    return batch.valueset(name).contains(code)


def _prior_auth_in_use(value) -> bool:
    """The profile's ``prior_auth`` names procedures (else the prior-auth fields are missing).

    ``collections.abc.Mapping``, not ``typing.Mapping``: the same test, without typing's
    ``__instancecheck__`` in Python on every line of every claim; None (no profile value) first."""
    return value is not None and isinstance(value, abc.Mapping) and "procedures" in value


def _prior_auth(inp: DeriveInput) -> Optional[dict]:
    pa = _param(inp, "prior_auth")
    return pa if _prior_auth_in_use(pa) else None


def prior_auth_required(inp: DeriveInput):
    """The line's procedure is on the profile's prior-authorization list (missing when the profile has none)."""
    pa = _prior_auth(inp)
    return None if pa is None else _in_procedures(inp.batch, inp.obj.code, pa["procedures"])


def prior_auth_missing(inp: DeriveInput):
    """The line needs prior authorization and there is no REF*G1 where the profile says it must be
    (``where: claim`` -> 2300 REF*G1; ``where: line`` -> this line's 2400 REF*G1)."""
    pa = _prior_auth(inp)
    if pa is None or not _in_procedures(inp.batch, inp.obj.code, pa["procedures"]):
        return None if pa is None else False
    if pa.get("where") == "line":
        return not getattr(inp.obj, "prior_authorization", None)
    return not inp.claim.prior_authorization


def prior_auth_where(inp: DeriveInput):
    """Where the profile wants the prior-authorization number, in words."""
    pa = _prior_auth(inp)
    return None if pa is None else WHERE_WORDS.get(str(pa.get("where", "claim")), str(pa.get("where")))


# ---- line: frequency limits across the batch ------------------------------------------------------
@batch_slot("payer.frequency")
class FrequencySlot:
    """The run's frequency-limit counts: a ``FrequencyTracker`` (seeded with a ledger's history by
    ``use_frequency_tracker``), and which claim it last counted (each claim is counted once, in
    batch order: by its first line's field, or at commit when no field asked)."""

    def __init__(self, state) -> None:
        self.state = state
        self.tracker = None
        self.claim = None
        self.over: dict = {}
        self.log: list = []  # with state.recording: (claim as the tracker reads it, limits) per counted claim

    def _tracker(self):
        if self.tracker is None:
            from scrubber.fields.frequency import FrequencyTracker  # once per batch

            self.tracker = FrequencyTracker()
        return self.tracker

    def over_for(self, claim, limits) -> dict:
        """Line number -> over-limit record of ``claim`` (counted now if not yet counted)."""
        if self.claim is not claim:
            over = self._tracker().check_and_add(claim, limits, lambda name, code: _valueset_contains(self.state, name, code))
            self.claim, self.over = claim, {o["line"]: o for o in over}
        return self.over

    def commit(self, claim, context) -> None:
        limits = (context.params or {}).get("frequency_limits") if context is not None else None
        if _frequency_in_use(limits):
            if self.claim is not claim:
                self.over_for(claim, limits)
            if self.state.recording:
                self.log.append((_tracked(claim), limits))
        self.claim, self.over = None, {}

    def export(self) -> list:
        return list(self.log)

    def absorb(self, log: list) -> None:
        """Count the claims of an earlier partition, in their order (the tracker's own arithmetic)."""
        for claim, limits in log:
            self.over_for(claim, limits)
        self.claim, self.over = None, {}

    def take_delta(self) -> list:
        """The services counted since the last call, handed over: the process that takes them (a
        worker) sends them to the one whose ledger records them, and keeps none for the rest of the batch."""
        if self.tracker is None:
            return []
        out, self.tracker.counted = self.tracker.counted, []
        return out

    def merge_delta(self, services: list) -> None:
        self._tracker().counted.extend(services)


def _tracked(claim):
    """The parts of a claim ``FrequencyTracker.check_and_add`` reads, without names or addresses."""
    from types import SimpleNamespace as NS

    sub = NS(member_id=claim.subscriber.member_id) if claim.subscriber else None
    return NS(subscriber=sub, claim_id=claim.claim_id, service_from=claim.service_from,
              lines=[NS(number=ln.number, code=ln.code, date_from=ln.date_from) for ln in claim.lines])


def use_frequency_tracker(batch, tracker) -> None:
    """Count frequency limits with ``tracker`` in the run whose batch state is ``batch`` (before the
    first claim): a run with a ledger gives one seeded with the ledger's history (``runsetup``)."""
    batch.slot("payer.frequency").tracker = tracker


def frequency_tracker(batch):
    """The tracker counting this batch (None before any line under a limit was seen)."""
    return batch.slot("payer.frequency").tracker


def _frequency_in_use(value) -> bool:
    """The profile sets at least one frequency limit (else the frequency fields are missing)."""
    return isinstance(value, (list, tuple)) and bool(value)


def _frequency_over(inp: DeriveInput) -> Optional[dict]:
    """This line's over-limit record, or {} when within every limit; None when the profile sets none.

    The tracker lives in the run's batch state; a claim is counted once, when its first line fact
    is built (or when it is committed), so claims are counted in batch order exactly once.
    """
    limits = _param(inp, "frequency_limits")
    if not _frequency_in_use(limits):
        return None
    return inp.batch.slot("payer.frequency").over_for(inp.claim, limits).get(inp.obj.number, {})


# ---- the fields, declared once ----------------------------------------------------------------------
Getter = Callable[[DeriveInput], Any]


def _from_payer_facts(key: str, as_type: str) -> Getter:
    """``payer_facts(...)[key]`` for the claim (a date field turns its ISO text into a date)."""
    if as_type == "date":
        return lambda inp: as_date(_payer(inp)[key])
    return lambda inp: _payer(inp)[key]


def _citation(param: str, in_use: Callable[[Any], bool] = bool) -> Getter:
    """The profile's citation for ``param`` when the profile uses it (``in_use(value)``), else missing."""
    return lambda inp: _source(inp, param) if in_use(_param(inp, param)) else None


def _from_frequency(key: str, as_type: str) -> Getter:
    """``key`` of the line's over-limit record; missing when the line is within every limit."""
    convert = as_date if as_type == "date" else (lambda v: v)

    def get(inp: DeriveInput):
        over = _frequency_over(inp)
        return convert(over.get(key)) if over else None

    return get


def _frequency_exceeded(inp: DeriveInput):
    over = _frequency_over(inp)
    return None if over is None else bool(over)


# (fact, name, type, the claim element a finding points at, getter, the profile parameter without
# which a rule testing the field can never fire (None: not a gate), doc for `rules explain`).
PAYER_FIELDS: tuple[tuple[str, str, str, str, Getter, Optional[str], Optional[str]], ...] = (
    ("claim", "tf_filed_late", "bool", "created", _from_payer_facts("filed_late", "bool"), "timely_filing",
     "Filed after the profile's timely-filing deadline (missing when no limit or no dates)."),
    ("claim", "tf_days_late", "number", "created", _from_payer_facts("days_past_deadline", "number"), "timely_filing",
     "Calendar days from the deadline to the filing date (> 0 when late)."),
    ("claim", "tf_deadline", "date", "created", _from_payer_facts("timely_filing_deadline", "date"), "timely_filing",
     "The last timely filing day under the profile's ``timely_filing``."),
    ("claim", "tf_filing_date", "date", "created", _from_payer_facts("filing_date", "date"), None,
     "The filing date compared: the claim's creation date (BHT04) unless the run gives another."),
    ("claim", "tf_dos", "date", "service_from", _from_payer_facts("timely_filing_dos", "date"), None,
     "The date of service timely filing counts from (earliest line From; 837I statement Through)."),
    ("claim", "tf_basis", "text", "created", tf_basis, None, None),
    ("claim", "tf_source", "text", "created", _citation("timely_filing"), None,
     "The profile's citation for its timely-filing limit."),
    # On the patient fact so a finding points at 2010BA NM109 when the patient is the subscriber.
    ("patient", "member_id_fits_pattern", "bool", "member_id", _from_payer_facts("member_id_valid", "bool"),
     "member_id_pattern", "The subscriber's member id (2010BA NM109) matches the profile's member_id_pattern."),
    ("patient", "subscriber_member_id", "text", "member_id", subscriber_member_id, None, None),
    ("patient", "member_id_source", "text", "member_id", _citation("member_id_pattern"), None,
     "The profile's citation for its member id format."),
    ("claim", "referral_missing", "bool", "referral_number", _from_payer_facts("referral_missing", "bool"),
     "referral_required", "The profile requires a referral and the claim has no REF*9F."),
    ("claim", "referral_source", "text", "referral_number", _citation("referral_required", lambda v: v is not None),
     None, "The profile's citation for requiring referrals."),
    ("line", "prior_auth_required", "bool", "code", prior_auth_required, "prior_auth", None),
    ("line", "prior_auth_missing", "bool", "code", prior_auth_missing, "prior_auth", None),
    ("line", "prior_auth_where", "text", "code", prior_auth_where, None, None),
    ("line", "prior_auth_source", "text", "code", _citation("prior_auth", _prior_auth_in_use), None,
     "The profile's citation for its prior-authorization list."),
    ("line", "frequency_exceeded", "bool", "code", _frequency_exceeded, "frequency_limits",
     "The member already had the profile's maximum of this service inside its window (this batch so far "
     "and, with a ledger, earlier runs)."),
    ("line", "frequency_prior_count", "number", "code", _from_frequency("prior_count", "number"), None,
     "How many of these services the member already had inside the window."),
    ("line", "frequency_max", "number", "code", _from_frequency("max", "number"), None, "The limit's maximum count."),
    ("line", "frequency_per_days", "number", "code", _from_frequency("per_days", "number"), None,
     "The limit's window in days."),
    ("line", "frequency_window_start", "date", "code", _from_frequency("window_start", "date"), None,
     "First day of the window that ends on this line's date."),
    ("line", "frequency_source", "text", "code", _citation("frequency_limits", _frequency_in_use), None,
     "The profile's citation for its frequency limits."),
)

# Which profile parameter each payer-policy field answers from (for ``rules list --payer``).
PARAM_OF_FIELD: dict[tuple[str, str], str] = {}

for _fact, _name, _type, _loc, _get, _needs, _doc in PAYER_FIELDS:
    if _doc is not None:  # a factory-made getter (a new function each); a hand-written one has its docstring
        _get.__doc__ = _doc
    _get.__name__ = _get.__qualname__ = _name
    derived_field(_fact, _name, type=_type, loc_field=_loc)(_get)
    if _needs:
        PARAM_OF_FIELD[(_fact, _name)] = _needs


def profile_source_params(profile) -> dict:
    """``source.<param>`` -> citation for every parameter the profile cites (for ClaimContext.params)."""
    return {SOURCE_PREFIX + k: v for k, v in (getattr(profile, "sources", None) or {}).items()}
