"""Built-in derived fields, table-backed value sets and pair relations (the extension-point examples).

Each is registered by name; a rule reads it like a plain field. Copy one of these into a module
under ``scrubber/fields/`` (and import it in ``scrubber/fields/__init__.py``) to add your own.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

from scrubber.fields.registry import DeriveInput, derived_field, pair_relation, valueset_provider


# ---- claim ---------------------------------------------------------------------------------------
@derived_field("claim", "line_charge_total", type="number", loc_field="total_charge")
def line_charge_total(inp: DeriveInput):
    """Sum of the service lines' charges (missing charges count as 0)."""
    return sum((ln.charge or Decimal(0) for ln in inp.claim.lines), Decimal(0))


@derived_field("claim", "total_matches_lines", type="bool", loc_field="total_charge")
def total_matches_lines(inp: DeriveInput):
    """Whether CLM02 equals the sum of the line charges, exactly (Decimal, no float rounding)."""
    if inp.claim.total_charge is None:
        return None
    return inp.claim.total_charge == sum((ln.charge or Decimal(0) for ln in inp.claim.lines), Decimal(0))


@derived_field("claim", "days_to_submission", type="number", loc_field="created")
def days_to_submission(inp: DeriveInput):
    """Days from the last date of service to the claim's creation date (BHT04): timely filing."""
    c = inp.claim
    end = c.service_to or c.service_from
    if c.created is None or end is None:
        return None
    return (c.created - end).days


# ---- patient -------------------------------------------------------------------------------------
def _age(birth: Optional[date], on: Optional[date]) -> Optional[int]:
    """Whole years from ``birth`` to ``on`` (a birthday not yet reached that year does not count)."""
    if birth is None or on is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@derived_field("patient", "age_years", type="number", loc_field="birth_date")
def age_years(inp: DeriveInput):
    """Age in whole years on the claim's first date of service."""
    return _age(inp.obj.birth_date, inp.claim.service_from)


# ---- line ----------------------------------------------------------------------------------------
@derived_field("line", "unresolved_pointer", type="number", loc_field="dx_pointers")
def unresolved_pointer(inp: DeriveInput):
    """The first diagnosis pointer (SV107) that names no diagnosis on the claim; missing when all resolve."""
    positions = {d.position for d in inp.claim.diagnoses}
    for p in inp.obj.dx_pointers:
        if p not in positions:
            return p
    return None


def _code_date_totals(inp: DeriveInput) -> dict:
    """(code, date) -> [units, lines] over the claim's lines, once per claim (the claim's scratch):
    asked per line, a sum over every line made a claim of n lines cost n * n."""
    memo = inp.batch.claim_memo if inp.batch is not None else {}
    hit = memo.get("builtin.code_date")
    if hit is not None and hit[0] is inp.claim:
        return hit[1]
    totals: dict = {}
    for o in inp.claim.lines:
        t = totals.get((o.code, o.date_from))
        if t is None:
            t = totals[(o.code, o.date_from)] = [Decimal(0), 0]
        t[0] += o.units or Decimal(0)  # in line order, as the per-line sum added them
        t[1] += 1
    memo["builtin.code_date"] = (inp.claim, totals)
    return totals


@derived_field("line", "units_on_date", type="number", loc_field="units")
def units_on_date(inp: DeriveInput):
    """Units of this line's code summed over the claim's lines on the same date (MUE per date of service)."""
    ln = inp.obj
    t = _code_date_totals(inp).get((ln.code, ln.date_from))
    if t is None:  # a line that is not one of the claim's own (never from the engine)
        return sum((o.units or Decimal(0) for o in inp.claim.lines if o.code == ln.code and o.date_from == ln.date_from),
                   Decimal(0))
    return t[0]


@derived_field("line", "same_code_same_date", type="number", loc_field="code")
def same_code_same_date(inp: DeriveInput):
    """How many lines of the claim bill this line's code on this line's date (this line included)."""
    ln = inp.obj
    t = _code_date_totals(inp).get((ln.code, ln.date_from))
    return t[1] if t is not None else sum(1 for o in inp.claim.lines if o.code == ln.code and o.date_from == ln.date_from)


# ---- provider ------------------------------------------------------------------------------------
def npi_check_digit_ok(npi: str) -> bool:
    """Luhn over '80840' + the first nine digits must give the tenth (CMS NPI standard, ISO 7812 prefix)."""
    if len(npi) != 10 or not (npi.isascii() and npi.isdigit()):
        return False
    digits = [int(c) for c in "80840" + npi[:9]]
    total = 0
    for k, d in enumerate(reversed(digits)):  # double every second digit from the right, starting with the rightmost
        if k % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(npi[9])


@derived_field("provider", "npi_valid", type="bool", loc_field="npi")
def npi_valid(inp: DeriveInput):
    """True when the NPI is 10 digits with a correct check digit; missing when there is no NPI."""
    npi = inp.obj.npi
    if not npi:
        return None
    hit = _NPI_OK.get(npi)
    if hit is None:
        if len(_NPI_OK) >= 100_000:  # a bound: the same few thousand NPIs recur claim after claim
            _NPI_OK.clear()
        hit = _NPI_OK[npi] = npi_check_digit_ok(npi)
    return hit


_NPI_OK: dict[str, bool] = {}  # NPI -> check digit correct (a pure function of the text)


# ---- diagnosis: ICD-10-CM via the simple-icd-10-cm package (its bundled edition) -----------------
def _icd():
    import simple_icd_10_cm as icd

    return icd


@derived_field("diagnosis", "billable", type="bool", loc_field="code")
def billable(inp: DeriveInput):
    """Whether an ICD-10-CM code is a valid, most-specific (billable) code; missing for ICD-9 diagnoses."""
    dx = inp.obj
    if dx.is_icd9:
        return None
    icd = _icd()
    return bool(icd.is_valid_item(dx.code) and icd.is_leaf(dx.code))


@valueset_provider("icd10cm-chapter", arguments=lambda: [str(n) for n in range(1, 23)])
def icd10cm_chapter(argument: str, refdata):
    """ICD-10-CM codes in chapter N (``icd10cm-chapter:15`` = pregnancy, childbirth and the puerperium)."""
    icd = _icd()

    def member(code: str) -> bool:
        if not icd.is_valid_item(code):
            return False
        anc = icd.get_ancestors(code)
        return bool(anc) and anc[-1] == argument

    return member


# ---- relations -----------------------------------------------------------------------------------
@pair_relation("points_to", "line", "diagnosis", fields={"rank": "number"})
def points_to(inp: DeriveInput, line, dx):
    """A service line and a diagnosis its SV107 pointers name; ``rank`` 1 = first pointer."""
    if dx.position in line.dx_pointers:
        return {"rank": line.dx_pointers.index(dx.position) + 1}
    return None
