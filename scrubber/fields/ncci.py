"""Derived fields and relations for the ncci and duplicate packs: NCCI PTP, MUE, repeated services.

Tables come from ``DeriveInput.refdata`` (CMS files the user imported with ``claimscrub refdata
import``); without a loaded table for the claim's setting the fields are missing and no edit fires.
"""
from __future__ import annotations

import hashlib
from array import array
from datetime import date
from decimal import Decimal
from typing import Optional

from scrubber.fields.common import (is_procedure_line, line_date, line_provider_npi, ptp_setting,
                                                     service_signature)
from scrubber.fields.registry import DeriveInput, batch_slot, derived_field, pair_relation
from scrubber.model.digest_index import DigestIndex, IdStore

MAI_TEXT = {1: "MAI 1, line edit: units per line",
            2: "MAI 2, date-of-service edit (policy): units per code per date of service, not appealable",
            3: "MAI 3, date-of-service edit (clinical): units per code per date of service"}


# ---- NCCI procedure-to-procedure ------------------------------------------------------------------
_BYPASS_CACHE: dict[tuple, frozenset] = {}


def bypass_modifiers(context, refdata) -> Optional[frozenset]:
    """The modifiers that bypass an indicator-1 edit: the payer profile's ``ptp_bypass_modifiers``
    when it sets one, else the NCCI-associated modifiers of claimscrub's modifier table."""
    params = context.params or {}
    listed = params.get("ptp_bypass_modifiers")
    if isinstance(listed, str):
        listed = listed.split()
    if isinstance(listed, (list, tuple)):
        try:  # the list as the profile gives it (the same few lists, asked for once per PTP hit)
            hit = _BYPASS_GIVEN.get(tuple(listed))
        except TypeError:  # an unhashable item: normalised below every time
            hit = None
        if hit is None:
            key = tuple(str(m).strip().upper() for m in listed)
            hit = _BYPASS_CACHE.get(key)
            if hit is None:
                hit = _BYPASS_CACHE[key] = frozenset(key)
            try:
                _BYPASS_GIVEN[tuple(listed)] = hit
            except TypeError:
                pass
        return hit
    return None


_BYPASS_GIVEN: dict[tuple, frozenset] = {}  # a profile's list as given -> its normalised set


def _is_bypass(mod: str, allowed: Optional[frozenset], refdata) -> bool:
    return mod in allowed if allowed is not None else refdata.modifier_ncci_associated(mod)


# A claim with more lines than this (the 837P guide's loop 2400 limit is 50; no normal claim comes
# near) relates each column-2 line to the first line of each column-1 code, date and provider only:
# the same code billed on 500 lines against 500 others is one edit per column-2 line, not 250,000
# findings (a 1,000-line claim made 63,000 and took 0.9 GB). Every column-2 line is still flagged.
PAIR_FOLD_LINES = 50


def ptp_candidates(inp: DeriveInput, col1_lines: list, col2_lines: list) -> dict:
    """For each line, the lines whose code the PTP table pairs with its code as column 2.

    The table is keyed by column-1 code: each line's column-2 codes are one cached look-up, met
    with an index of the claim's lines by code, so a claim costs its lines plus the pairs that
    really are edits, never every pair of lines (a 999-line claim asked 998,001 pairs before)."""
    rd, claim = inp.refdata, inp.claim
    setting = ptp_setting(claim) if rd is not None else None
    if setting is None or not rd.ptp_loaded(setting):
        return {}
    by_code: dict[str, list[int]] = {}
    for j, ln in enumerate(col2_lines):
        if is_procedure_line(ln):
            by_code.setdefault(ln.code.strip().upper(), []).append(j)
    out: dict[int, list[int]] = {}
    firsts: Optional[set] = None
    if len(col1_lines) > PAIR_FOLD_LINES:  # see PAIR_FOLD_LINES: one column-1 line per code, date and provider
        seen: dict[tuple, int] = {}
        for i, ln in enumerate(col1_lines):
            if is_procedure_line(ln):
                seen.setdefault((ln.code.strip().upper(), line_date(claim, ln), line_provider_npi(claim, ln)), i)
        firsts = set(seen.values())
    for i, ln in enumerate(col1_lines):
        day = line_date(claim, ln)
        if day is None or not is_procedure_line(ln) or (firsts is not None and i not in firsts):
            continue
        col2 = rd.ptp_column2_codes(ln.code, day, setting)
        if not col2:
            continue
        codes = [c for c in col2 if c in by_code] if len(col2) < len(by_code) else [c for c in by_code if c in col2]
        if codes:
            out[i] = sorted(j for c in codes for j in by_code[c])
    return out


@pair_relation("ncci_ptp", "line", "line",
               fields={"modifier_indicator": "number", "bypassed": "bool", "bypass_modifier": "text",
                       "effective": "date", "setting": "text", "edition": "text", "rationale": "text"},
               candidates=ptp_candidates)
def ncci_ptp(inp: DeriveInput, col1, col2) -> Optional[dict]:
    """Line ``col2`` bills the column-2 code of an NCCI PTP edit whose column-1 code is on line
    ``col1``: same date of service, same provider (rendering NPI, else billing), edit in force
    on that date in the table for the claim's setting; indicator 9 (not an edit) gives nothing."""
    rd, claim = inp.refdata, inp.claim
    if rd is None or not is_procedure_line(col1) or not is_procedure_line(col2) or col1.code == col2.code:
        return None
    setting = ptp_setting(claim)
    if setting is None or not rd.ptp_loaded(setting):
        return None
    day = line_date(claim, col1)
    if day is None or day != line_date(claim, col2):
        return None
    edit = rd.ptp_edit(col1.code, col2.code, day, setting)
    if edit is None or edit.modifier not in (0, 1):
        return None
    if line_provider_npi(claim, col1) != line_provider_npi(claim, col2):
        return None
    allowed = bypass_modifiers(inp.context, rd)
    used = [m for m in col2.modifiers + col1.modifiers if _is_bypass(m, allowed, rd)]
    return {"modifier_indicator": edit.modifier, "bypassed": edit.modifier == 1 and bool(used),
            "bypass_modifier": used[0] if used else None, "effective": edit.effective,
            "setting": "practitioner" if setting == "practitioner" else "outpatient hospital",
            "edition": edit.edition, "rationale": edit.rationale or None}


# ---- medically unlikely edits ---------------------------------------------------------------------
def _mue(inp: DeriveInput):
    """The line's MUE (three fields read it for the same line: the answer is kept in the claim's
    scratch, keyed by the line, which is immutable and kept alive by the claim)."""
    ln, rd, claim = inp.obj, inp.refdata, inp.claim
    memo = inp.batch.claim_memo.setdefault("ncci.mue", {})
    hit = memo.get(id(ln))
    if hit is not None and hit[0] is ln:
        return hit[1]
    if rd is None or not is_procedure_line(ln):
        m = None
    else:
        setting = ptp_setting(claim)
        day = line_date(claim, ln)
        m = None if setting is None or day is None or not rd.mue_loaded(setting) else rd.mue(ln.code, day, setting)
    memo[id(ln)] = (ln, m)
    return m


@derived_field("line", "mue_value", type="number", loc_field="units")
def mue_value(inp: DeriveInput):
    """The MUE value for the line's code on its date (units per line or per date of service)."""
    m = _mue(inp)
    return None if m is None else Decimal(m.value)


@derived_field("line", "mue_mai", type="number", loc_field="units")
def mue_mai(inp: DeriveInput):
    """The MUE adjudication indicator: 1 line edit, 2 date-of-service (policy), 3 date-of-service (clinical)."""
    m = _mue(inp)
    return None if m is None else m.mai


@derived_field("line", "mue_mai_text", type="text", loc_field="units")
def mue_mai_text(inp: DeriveInput):
    """What the MUE adjudication indicator means, for messages."""
    m = _mue(inp)
    return None if m is None else MAI_TEXT.get(m.mai, f"MAI {m.mai}")


@derived_field("line", "mue_first_on_date", type="bool", loc_field="code")
def mue_first_on_date(inp: DeriveInput):
    """True on the first line billing this code on this date (a per-date edit is reported once)."""
    ln, claim = inp.obj, inp.claim
    day = line_date(claim, ln)
    for o in claim.lines:
        if o.code == ln.code and line_date(claim, o) == day:
            return o is ln
    return None


# ---- duplicates -----------------------------------------------------------------------------------
@derived_field("line", "repeats_line", type="number", loc_field="code")
def repeats_line(inp: DeriveInput):
    """The number of an earlier line of this claim with the same patient, provider, date,
    procedure and modifiers (``scrubber.fields.common.service_signature``); missing when none."""
    ln, claim = inp.obj, inp.claim
    if not ln.code:  # a revenue-code-only 837I line (room, supplies) is not a countable service
        return None
    memo = inp.batch.claim_memo
    answer = _per_line(memo, "ncci.repeats", claim, _repeats).get(id(ln))
    if answer is not None and answer[0] is ln:
        return answer[1]
    # a line that is not one of the claim's own (never from the engine): the index, asked directly
    first = _first_lines(claim, memo)
    o = first.get(service_signature(claim, ln, memo.setdefault("signatures", {})))
    return None if o is None or o is ln else o.number


def _per_line(memo: dict, key: str, claim, build) -> dict:
    """The claim's ``id(line) -> (line, answer)`` table under ``memo[key]``, made by ``build(claim, memo)``
    once per claim (the table of an earlier claim in the scratch is replaced). A caller checks the
    line's identity in the answer: an id may be reused by a line that is not the claim's."""
    hit = memo.get(key)
    if hit is None or hit[0] is not claim:
        hit = memo[key] = (claim, build(claim, memo))
    return hit[1]


def _repeats(claim, claim_memo: dict) -> dict:
    """id(line) -> (line, its ``repeats_line`` answer) for every line of the claim, in one pass
    (each line's field is then one look-up; same answer as ``repeats_line_scan``)."""
    first = _first_lines(claim, claim_memo)
    memo = claim_memo.setdefault("signatures", {})
    out = {}
    for o in claim.lines:
        f = first.get(service_signature(claim, o, memo))
        out[id(o)] = (o, None if f is None or f is o else f.number)
    return out


def _first_lines(claim, claim_memo: dict) -> dict:
    """Signature -> the claim's first line with it, built once per claim (each line's field then is
    one look-up, not a walk over the earlier lines: same answer as ``repeats_line_scan``)."""
    hit = claim_memo.get("ncci.first_lines")
    if hit is not None and hit[0] is claim:
        return hit[1]
    memo = claim_memo.setdefault("signatures", {})
    first: dict = {}
    for o in claim.lines:
        first.setdefault(service_signature(claim, o, memo), o)
    claim_memo["ncci.first_lines"] = (claim, first)
    return first


def repeats_line_scan(claim, ln) -> Optional[int]:
    """The definition ``repeats_line`` short-cuts (kept for the test that compares them): the
    first earlier line whose signature equals this line's."""
    if not ln.code:
        return None
    sig = service_signature(claim, ln)
    for o in claim.lines:
        if o is ln:
            return None
        if service_signature(claim, o) == sig:
            return o.number
    return None


def _digest(claim, line, memo: Optional[dict]) -> int:
    """The line's ``signature_digest``, once per line of a claim: ``batch_duplicate_of`` and the
    commit after it share the claim's scratch (``memo``: ``claim_memo["signatures"]``); the first
    line asked makes the digests of every coded line of the claim in one pass."""
    if memo is None:
        return signature_digest(service_signature(claim, line))
    got = _per_line(memo, "digests", claim, _claim_digests).get(id(line))
    if got is not None and got[0] is line:
        return got[1]
    return _digest_one(claim, line, memo)  # a line that is not one of the claim's own, or has no code


def _claim_digests(claim, memo: dict) -> dict:
    """id(line) -> (line, digest) of the claim's coded lines (``_digest_one`` of each)."""
    return {id(o): (o, _digest_one(claim, o, memo)) for o in claim.lines if o.code}


def _digest_one(claim, line, memo: dict) -> int:
    member, npi, day, day_to, code, revenue, modifiers, ndc = service_signature(claim, line, memo)
    m = memo.get("member_repr")
    if m is None or m[0] is not claim:
        m = memo["member_repr"] = (claim, repr(member))
    return _digest_of_text(_text(m[1], npi, day, day_to, code, revenue, modifiers, ndc))


def _day_text(d) -> str:
    """A date as ISO text (a third of ``repr``'s cost); anything else (None) by its repr."""
    return d.isoformat() if d.__class__ is date else repr(d)


def _text(member_repr: str, npi, day, day_to, code, revenue, modifiers, ndc) -> str:
    """A signature as text, one to one: each part is the repr of a str, tuple or None (quoted or
    bracketed, so it ends where it ends) or a date's ISO text (digits and dashes only), and no part
    can hold the unquoted ``|`` between them. Cheaper than the repr of the whole tuple (dates'
    repr is most of that) and never persisted: only digests made by this code meet in one index."""
    return (f"{member_repr}|{npi!r}|{_day_text(day)}|{_day_text(day_to)}|{code!r}|{revenue!r}|"
            f"{tuple(sorted(modifiers))!r}|{ndc!r}")


def _digest_of_text(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")


@batch_slot("ncci.services")
class BatchServices:
    """Service signatures of the claims committed earlier in the batch: digest -> first claim id.

    The engine commits each claim after its facts are built (``BatchState.commit``), so claim N
    sees claims 0..N-1 only; a worker commits the claims of other workers' chunks too. Stored as
    64-bit digests in flat arrays, and each claim id a digest points at once
    (``scrubber.model.digest_index``: about 30 bytes a service instead of ~150, and what a digest
    collision would cost).
    """

    FIELDS = ("batch_duplicate_of",)

    def __init__(self, state) -> None:
        self.state = state
        self.index = DigestIndex()
        self.ids = IdStore()  # the claim ids the index points at, each stored once
        self._log_keys = array("Q")  # with state.recording: the digests this state added, in order
        self._log_vals = array("I")

    def commit(self, claim, context) -> None:
        index = self.index
        n = len(self.ids)  # the number this claim's id gets if it adds a service
        added = False
        # the digests batch_duplicate_of made for this claim, if it was evaluated here; else a scratch
        # of its own (the member key is then computed once for the claim, not once per line)
        memo = self.state.memo_of(claim, "signatures")
        if memo is None:
            memo = {}
        for o in claim.lines:
            if o.code:  # only coded lines are ever looked up
                before = len(index)
                h = _digest(claim, o, memo)
                index.setdefault(h, n)
                if len(index) != before:
                    added = True
                    if self.state.recording:
                        self._log_keys.append(h)
                        self._log_vals.append(n)
        if added:
            self.ids.append(claim.claim_id)

    def export(self) -> tuple:
        """The services this state added, in order, and the claim ids they point at."""
        return self._log_keys, self._log_vals, [self.ids[i] for i in range(len(self.ids))]

    def absorb(self, exported: tuple) -> None:
        """Add an earlier partition's services (partitions in order: the first claim wins, as in one run)."""
        keys, vals, ids = exported
        index, mine = self.index, {}
        for h, v in zip(keys, vals):
            n = mine.get(v, len(self.ids))
            before = len(index)
            index.setdefault(h, n)
            if len(index) != before and v not in mine:
                mine[v] = n
                self.ids.append(ids[v])

    def lookup(self, claim, line, memo: Optional[dict] = None) -> Optional[str]:
        n = self.index.get(_digest(claim, line, memo))
        return None if n < 0 else self.ids[n]


def signature_digest(sig: tuple) -> int:
    """A service signature as a 64-bit number: equal signatures, equal digests (the modifiers, a
    set, in sorted order; names, ids and codes by their repr, dates by their ISO text: ``_text``,
    which tells apart what ``==`` does). 64 bits: see ``scrubber.model.digest_index`` for what a
    collision would cost."""
    member, npi, day, day_to, code, revenue, modifiers, ndc = sig
    return _digest_of_text(_text(repr(member), npi, day, day_to, code, revenue, modifiers, ndc))


@derived_field("line", "batch_duplicate_of", type="text", loc_field="code")
def batch_duplicate_of(inp: DeriveInput):
    """Claim id of an earlier claim in this batch with the same patient, provider, date,
    procedure and modifiers as this line (the signature ``repeats_line`` uses within a claim)."""
    ln = inp.obj
    if inp.batch is None or not ln.code:
        return None
    return inp.batch.slot("ncci.services").lookup(inp.claim, ln, inp.batch.claim_memo.setdefault("signatures", {}))
