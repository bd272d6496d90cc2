"""Helpers the standard packs' derived fields share (no registrations here).

Every pack field that needs reference data reads it through ``DeriveInput.refdata``, the
object given to ``Engine(packs, refdata=...)``. Without one (``refdata=None``) those fields
are missing, so reference-data edits stay silent instead of guessing: the pipeline passes
``open_refdata(data_dir)``; rule cases get ``scrubber.refdata.rule_cases.rule_case_refdata()``.
"""
from __future__ import annotations

import unicodedata
from datetime import date
from typing import Optional

from scrubber.model import Claim, ServiceLine


def add_dot(code: Optional[str]) -> Optional[str]:
    """``E119`` -> ``E11.9`` (how coders read ICD-10-CM codes); three characters stay as they are."""
    if not code:
        return None
    c = code.strip().upper().replace(".", "")
    return c if len(c) <= 3 else f"{c[:3]}.{c[3:]}"


def dx_date(claim: Claim) -> Optional[date]:
    """The date an ICD-10-CM code's validity is judged on.

    Professional claims: the first date of service. Institutional claims: the discharge or
    statement-through date when there is one (inpatient code sets follow the discharge date,
    CMS Pub. 100-04 ch. 3), else the first date of service. A JSON claim may carry dates on its
    lines only: then the earliest line date.
    """
    if claim.kind == "837I" and (claim.discharge_date or claim.statement_to):
        return claim.discharge_date or claim.statement_to
    if claim.service_from is not None:
        return claim.service_from
    dates = [ln.date_from for ln in claim.lines if ln.date_from is not None]
    return min(dates) if dates else None


def line_date(claim: Claim, line: ServiceLine) -> Optional[date]:
    """A line's date of service: its own DTP*472, else the claim's first date of service."""
    return line.date_from or claim.service_from


def line_provider_npi(claim: Claim, line: ServiceLine) -> Optional[str]:
    """Who performed the line, for "same provider" edits: the line's rendering NPI, else the
    claim's rendering NPI, else the billing NPI (NCCI PTP and duplicate edits)."""
    for p in (line.provider("rendering"), claim.provider("rendering"), claim.provider("billing")):
        if p is not None and p.npi:
            return p.npi
    return None


def _claim_provider_npi(claim: Claim) -> Optional[str]:
    """``line_provider_npi`` of a line without its own rendering NPI: the claim's part of it."""
    for p in (claim.provider("rendering"), claim.provider("billing")):
        if p is not None and p.npi:
            return p.npi
    return None


# ---- "the same member": one normalisation, two keys ---------------------------------------------
def _letters_and_digits_slow(text: Optional[str]) -> str:
    """The definition (any text): NFKD-fold, keep letters and digits that are not combining marks, upper-case."""
    folded = unicodedata.normalize("NFKD", text or "")
    return "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch)).upper()


# ASCII text is its own NFKD form and has no combining marks, and its letters and digits are exactly
# A-Z, a-z, 0-9: deleting every other ASCII character gives the definition's answer without a Python
# step per character (member ids and names are ASCII nearly always; tests/test_same_member.py checks
# that both paths agree).
_ASCII_NOT_ALNUM = {c: None for c in range(128) if not chr(c).isalnum()}


def _letters_and_digits(text: Optional[str]) -> str:
    """Upper-case letters and digits only, accents dropped: ' o'brien-smith ' -> 'OBRIENSMITH'."""
    if not text:
        return ""
    if text.isascii():
        return (text if text.isalnum() else text.translate(_ASCII_NOT_ALNUM)).upper()
    return _letters_and_digits_slow(text)


def normalised_member_id(member_id: Optional[str]) -> Optional[str]:
    """A member id as every "same member" test compares it; None when absent or blank.

    Case, spacing and punctuation are how a card or a keyboard writes the id, not part of it
    (``madeup 0001``, ``MADEUP-0001`` and ``MadeUp.0001`` are one member), so only letters and
    digits count. Eligibility matching, frequency limits, the ledger's pseudonyms and duplicate
    detection all use this, so a member is one member everywhere.
    """
    return _letters_and_digits(member_id) or None


def member_id_key(claim: Claim) -> Optional[str]:
    """The member as a payer knows it: the subscriber's normalised member id only.

    Eligibility (a 271 / 834 answers by member id) and frequency limits (the payer counts a
    member's services) key on this; a dependant is told apart by their own checks, not here.
    """
    return normalised_member_id(claim.subscriber.member_id if claim.subscriber else None)


def member_key(claim: Claim) -> tuple:
    """The patient, for duplicate edits: the normalised member id with the patient's name and
    birth date (names normalised like the id).

    Wider than ``member_id_key`` on purpose: test and demo files reuse one member id for
    different people, and a dependant shares the subscriber's id, so two claims are the same
    patient's only when name and birth date agree too.
    """
    sub = member_id_key(claim)
    pat = claim.patient or claim.subscriber
    if pat is None:
        return (sub,)
    return (sub, _letters_and_digits(pat.last_name), _letters_and_digits(pat.first_name), pat.birth_date)


def service_signature(claim: Claim, line: ServiceLine, memo: Optional[dict] = None) -> tuple:
    """What makes two lines the same service: patient, provider, date, procedure, modifiers.

    Modifiers compare as a set (``RT 59`` repeats ``59 RT``); a drug line's NDC is part of the
    service (two NDCs under one HCPCS code are two drugs). Units and charge are left out on
    purpose: the same service on two lines is a duplicate whatever units each line bills.
    ``memo``: the claim's scratch (``BatchState.claim_memo``): one claim's lines are asked for
    over and over while its facts are built.
    """
    if memo is None:
        member, npi = member_key(claim), line_provider_npi(claim, line)
    else:
        hit = memo.get(id(line))
        # the line itself is kept too, so its id cannot be reused; and the claim, since a claim copy
        # (dataclasses.replace) shares the original's line objects under another patient or provider
        if hit is not None and hit[0] is line and hit[2] is claim:
            return hit[1]
        # the claim's member key and provider, once per claim (str keys: line ids are ints)
        hit = memo.get("member")
        if hit is None or hit[0] is not claim:
            hit = memo["member"] = (claim, member_key(claim), _claim_provider_npi(claim))
        member = hit[1]
        p = line.provider("rendering") if line.providers else None
        npi = p.npi if p is not None and p.npi else hit[2]  # = line_provider_npi(claim, line)
    sig = (member, npi, line.date_from or claim.service_from, line.date_to,
           line.code, line.revenue_code, frozenset(line.modifiers), line.ndc)
    if memo is not None:
        memo[id(line)] = (line, sig, claim)
    return sig


def ptp_setting(claim: Claim) -> Optional[str]:
    """Which NCCI table applies: practitioner for 837P, outpatient hospital for 837I.

    NCCI's hospital tables are for outpatient (OPPS) claims; an 837I with an inpatient type of
    bill (11x hospital inpatient, 21x SNF inpatient, 18x swing bed) gets no PTP or MUE edit.
    """
    if claim.kind == "837I":
        tob = (claim.place_of_service or "").strip()
        if tob[:2] in ("11", "18", "21"):
            return None
        return "hospital"
    return "practitioner"


def is_procedure_line(line: ServiceLine) -> bool:
    """A line whose code is a CPT/HCPCS procedure code (qualifier HC, or none given in JSON)."""
    return bool(line.code) and (line.code_qualifier in (None, "", "HC"))
