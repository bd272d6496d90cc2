"""Calendar arithmetic and per-claim facts for the payer parameters rules read.

Rules compare fields; they do not do date arithmetic. This module turns a
profile's parameters and one claim into plain fields (``payer_facts``) so each
payer-policy rule is one test on one field.

Timely filing, exactly:

* ``days: N`` — the last timely day is the start date plus N calendar days.
  Counted from a date of service of 2025-01-10 with ``days: 365``, a claim filed
  on 2026-01-10 (day 365) is timely and one filed on 2026-01-11 (day 366) is late.
* ``months: N`` — the last timely day is the same day of the month N months
  later; when that month is shorter (a date of service of 2024-02-29 plus 12
  months) it is the last day of that month (2025-02-28). This is Medicare's
  "12 months, or 1 calendar year, after the date of service" (42 CFR
  424.44(a)(1)); the Medicare Claims Processing Manual (Pub. 100-04) ch. 1
  section 70.1 states that claims with a February 29 date of service must be
  filed by February 28 of the following year. Because a calendar year can hold
  366 days, a claim for 2023-06-01 filed on 2024-06-01 (day 366, across
  2024-02-29) is timely under ``months: 12`` and late under ``days: 365``.
* ``from``: ``date_of_service``; ``end_of_calendar_year`` (December 31 of the
  year of the date of service); ``prior_payer_adjudication`` (the other payer's
  adjudication date, 2330B DTP*573; a claim without one is a primary claim and
  counts from its date of service).

The date of service for filing limits follows Pub. 100-04 ch. 1 section 70.1:
the earliest line "From" date on professional claims, the "Through" date of an
institutional claim's statement period. The filing date is the date given (the
scrub run's day, when the biller is about to submit), else the claim's creation
date (BHT04), which is what an audit of past claims should use.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Optional

FROM_CHOICES = ("date_of_service", "end_of_calendar_year", "prior_payer_adjudication")


def add_months(start: date, months: int) -> date:
    """Same day ``months`` later, clamped to the end of a shorter month (2024-02-29 + 12 -> 2025-02-28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def timely_filing_deadline(dos: date, params: Mapping[str, Any], prior_adjudication: Optional[date] = None) -> date:
    """The last day a claim for ``dos`` is timely under ``params`` (a ``timely_filing`` mapping)."""
    origin = params.get("from", "date_of_service")
    if origin == "end_of_calendar_year":
        start = date(dos.year, 12, 31)
    elif origin == "prior_payer_adjudication":
        start = prior_adjudication or dos
    elif origin == "date_of_service":
        start = dos
    else:
        raise ValueError(f"timely_filing.from must be one of {', '.join(FROM_CHOICES)}, not {origin!r}")
    if "months" in params and params["months"] is not None:
        return add_months(start, int(params["months"]))
    if "days" in params and params["days"] is not None:
        return start + timedelta(days=int(params["days"]))
    raise ValueError("timely_filing needs days or months")


def is_timely(dos: date, filed: date, params: Mapping[str, Any], prior_adjudication: Optional[date] = None) -> bool:
    return filed <= timely_filing_deadline(dos, params, prior_adjudication)


def member_id_matches(member_id: Optional[str], pattern: Optional[str]) -> Optional[bool]:
    """Whether the whole member id matches the payer's pattern; None when either is absent."""
    if not member_id or not pattern:
        return None
    return re.fullmatch(pattern, member_id.strip()) is not None


def filing_dos(claim) -> Optional[date]:
    """The date of service timely filing counts from (see the module docstring)."""
    if claim.kind == "837I":
        return claim.statement_to or claim.service_to or claim.service_from
    dates = [ln.date_from for ln in claim.lines if ln.date_from]
    return min(dates) if dates else claim.service_from


def prior_adjudication_date(claim) -> Optional[date]:
    """The latest adjudication date among the claim's other payers (2330B DTP*573), if any."""
    dates = [op.adjudication_date for op in claim.other_payers if op.adjudication_date]
    return max(dates) if dates else None


def code_in_list(code: Optional[str], codes: Iterable[str]) -> bool:
    """Membership in a list of codes and ranges such as ``80047-80081`` (same-length codes compare as text)."""
    if not code:
        return False
    for entry in codes:
        if "-" in entry:
            lo, hi = entry.split("-", 1)
            if len(code) == len(lo) and lo <= code <= hi:
                return True
        elif code == entry:
            return True
    return False


def sex_edits_active(params: Mapping[str, Any], dos: Optional[date]) -> bool:
    """Whether diagnosis/procedure-sex edits apply on ``dos`` under the profile's ``sex_edits``."""
    cfg = params.get("sex_edits")
    if not cfg:
        return True
    if not cfg.get("enabled", True):
        return False
    until = cfg.get("until")
    if until and dos is not None:
        return dos <= date.fromisoformat(str(until))
    return True


def payer_facts(claim, params: Mapping[str, Any], filed: Optional[date] = None) -> dict:
    """Per-claim results of the payer parameters, as plain fields (ISO dates as text).

    Fields (None when the parameter is not set or the claim lacks the data):
    ``timely_filing_dos``, ``timely_filing_deadline``, ``filing_date``,
    ``days_past_deadline`` (> 0 when late), ``filed_late``; ``member_id_valid``;
    ``sex_edits_active``; ``prior_auth_required`` / ``prior_auth_missing`` (code
    lists only: a value-set name is left to the engine's ``in_set``) and
    ``prior_auth_lines``; ``referral_missing``.
    """
    out: dict[str, Any] = {
        "timely_filing_dos": None,
        "timely_filing_deadline": None,
        "filing_date": None,
        "days_past_deadline": None,
        "filed_late": None,
        "member_id_valid": None,
        "sex_edits_active": sex_edits_active(params, claim.service_from),
        "prior_auth_required": None,
        "prior_auth_missing": None,
        "prior_auth_lines": [],
        "referral_missing": None,
    }
    filed_on = filed or claim.created
    tf = params.get("timely_filing")
    dos = filing_dos(claim)
    if tf and dos is not None and filed_on is not None:
        deadline = timely_filing_deadline(dos, tf, prior_adjudication_date(claim))
        late_by = (filed_on - deadline).days
        out.update(
            timely_filing_dos=dos.isoformat(),
            timely_filing_deadline=deadline.isoformat(),
            filing_date=filed_on.isoformat(),
            days_past_deadline=late_by,
            filed_late=late_by > 0,
        )
    member_id = claim.subscriber.member_id if claim.subscriber else None
    out["member_id_valid"] = member_id_matches(member_id, params.get("member_id_pattern"))
    pa = params.get("prior_auth")
    if pa and isinstance(pa.get("procedures"), (list, tuple)):
        lines = [ln.number for ln in claim.lines if code_in_list(ln.code, pa["procedures"])]
        out["prior_auth_lines"] = lines
        out["prior_auth_required"] = bool(lines)
        out["prior_auth_missing"] = bool(lines) and not claim.prior_authorization
    if params.get("referral_required") is not None:
        out["referral_missing"] = bool(params["referral_required"]) and not claim.referral_number
    return out


# ``Profile.context`` keeps the facts in ``ClaimContext.params`` under this prefix (so a rule can
# also test ``claim.param.derived.<name>``); ``derived_payer_facts`` reads them back from there.
DERIVED_PREFIX = "derived."
FACT_NAMES = ("timely_filing_dos", "timely_filing_deadline", "filing_date", "days_past_deadline", "filed_late",
              "member_id_valid", "sex_edits_active", "prior_auth_required", "prior_auth_missing",
              "prior_auth_lines", "referral_missing")


_DERIVED_KEYS = tuple((name, DERIVED_PREFIX + name) for name in FACT_NAMES)


def as_derived_params(facts: Mapping[str, Any]) -> dict:
    """``payer_facts`` as ``derived.<name>`` context parameters."""
    return {DERIVED_PREFIX + name: value for name, value in facts.items()}


def derived_payer_facts(claim, params: Mapping[str, Any]) -> dict:
    """The claim's payer facts from its context parameters: the ``derived.<name>`` keys when the
    context holds them all (a run: computed once, by ``Profile.context``), else ``payer_facts``
    computed now (a rule's test case; ``derived.filing_date`` alone, if given, is the filing date)."""
    try:  # the run's case: every key there (the key texts made once, not twice per claim and name)
        return {name: params[key] for name, key in _DERIVED_KEYS}
    except KeyError:
        pass
    filed = params.get(DERIVED_PREFIX + "filing_date")
    if filed is not None and not isinstance(filed, date):
        try:
            filed = date.fromisoformat(str(filed))
        except ValueError:
            filed = None
    return payer_facts(claim, params, filed)
