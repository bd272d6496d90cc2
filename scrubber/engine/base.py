"""Base fields of a claim's facts: model values as the plain values rules compare (``plain``).

Only the base fields some loaded rule, message or finding reads are filled (``BaseFields``): a
field no rule reads costs a ``getattr``, a conversion and a dict slot per fact for nothing (a third
of the base fields of the standard packs), and fields nobody reads (patient names, birth dates of
packs that do not test them) do not sit in fact dicts at all. ``BaseFields.every()`` fills them all.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Optional

from scrubber.model import Claim, ClaimContext
from scrubber.rulespec.fields import PARAM_PREFIX, fact_key
from scrubber.rulespec.model import date_int


_DATE_INTS: dict = {}  # date -> YYYYMMDD, memoised (a batch has a few hundred distinct dates, read on every fact)


def plain(v):
    """A model value as a fact value (None stays None: the key is dropped)."""
    cls = v.__class__  # exact-type fast paths first (hot: every field of every fact)
    if cls is str:
        return v or None
    if v is None:
        return None
    if cls is int or cls is float or cls is bool:
        return v
    if cls is Decimal:  # exact-type paths for the other common values (charges, units, dates, code lists)
        return float(v)
    if cls is date:
        n = _DATE_INTS.get(v)
        if n is None:
            n = _DATE_INTS[v] = date_int(v)
        return n
    if cls is tuple:
        return " ".join(map(str, v)) or None
    if v == () or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, date):
        return date_int(v)
    if isinstance(v, (tuple, list)):
        return " ".join(str(x) for x in v) or None
    return v


_KEYS: dict[str, str] = {}  # field name -> fact key, memoised (called for every field of every fact)


def _key(name: str) -> str:
    k = _KEYS.get(name)
    if k is None:
        k = _KEYS[name] = fact_key(name)
    return k


def _put(d: dict, name: str, v) -> None:
    v = plain(v)
    if v is not None:
        d[_key(name)] = v


def _put_fields(d: dict, obj, names: tuple) -> None:
    """``_put`` for many attributes of one object (``_putter(names)``: one generated function per tuple)."""
    put = _PUTTERS.get(names)
    if put is None:
        put = _PUTTERS[names] = _putter(names)
    put(d, obj)


def _putter(names: tuple):
    """``put(d, obj)`` storing ``plain(obj.<name>)`` under each name's fact key, in straight-line code
    (text and missing values inline: the hot cases). Why: the loop over (name, key) rows with a
    ``getattr`` each was a tenth of fact building. Only attribute names (identifiers, checked) and
    fact keys written with ``repr`` go into the source."""
    lines = ["def put(d, obj):"]
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"not an attribute name: {name!r}")
        key = _key(name)
        lines += [f"    v = obj.{name}", "    if v.__class__ is str:", "        if v:", f"            d[{key!r}] = v",
                  "    elif v is not None:", "        v = plain(v)", "        if v is not None:",
                  f"            d[{key!r}] = v"]
    lines.append("    return None")
    ns: dict = {"plain": plain}
    exec(compile("\n".join(lines) + "\n", "<claimscrub base fields>", "exec"), ns)  # noqa: S102 - names only
    return ns["put"]


_PUTTERS: dict = {}  # field-name tuple -> its generated put(d, obj)
_PERSON = ("last_name", "first_name", "member_id", "birth_date", "sex", "relationship")
_PROVIDER = ("role", "entity_type", "last_or_org_name", "first_name", "npi", "taxonomy", "tax_id")
_CLAIM = ("claim_id", "kind", "total_charge", "place_of_service", "facility_code_qualifier", "frequency",
          "created", "service_from", "service_to", "statement_from", "statement_to", "admission_date",
          "discharge_date", "onset_date", "payer_responsibility", "claim_filing_indicator",
          "prior_authorization", "referral_number", "payer_claim_control_number")
_LINE = ("number", "code", "code_qualifier", "modifiers", "charge", "units", "unit_basis",
         "place_of_service", "dx_pointers", "date_from", "date_to", "revenue_code", "ndc",
         "ndc_quantity", "ndc_unit")


_ADDRESS = ("state", "postal_code")
_DIAGNOSIS = ("code", "qualifier", "poa")
_MODIFIER_KEYS = tuple(fact_key(f"modifier{k}") for k in range(1, 5))  # modifier1..modifier4
_PARAM_KEYS: dict[str, str] = {}  # profile parameter name -> its claim fact key (param__<name>)


def _person_fields(p, d: dict, want: "BaseFields") -> None:
    _put_fields(d, p, want.person)
    if p.address is not None and want.address:
        _put_fields(d, p.address, want.address)


def _provider_fields(p, line_no, d: dict, want: "BaseFields") -> None:
    _put_fields(d, p, want.provider)
    _put(d, "line", line_no)  # findings read it (the finding's line)
    if p.address is not None and want.address:
        _put_fields(d, p.address, want.address)


@dataclass(frozen=True)
class BaseFields:
    """The base fields to fill, per fact type (field-name tuples in the order ``base_objects`` fills them)."""

    claim: tuple = _CLAIM
    claim_extra: frozenset = frozenset(("payer_id", "payer_name", "condition_codes", "occurrence_codes",
                                        "value_codes", "profile_id"))
    line: tuple = _LINE
    line_modifiers: bool = True  # modifier1..modifier4
    rendering_npi: bool = True
    diagnosis: tuple = _DIAGNOSIS
    person: tuple = _PERSON
    address: tuple = _ADDRESS  # patient's and providers' addresses
    provider: tuple = _PROVIDER
    params: Optional[tuple] = None  # payer-profile parameters (claim.param.<name>) to fill, sorted; None: all

    @staticmethod
    def every() -> "BaseFields":
        return _EVERY

    @staticmethod
    def read(reads: dict) -> "BaseFields":
        """Only the fields in ``reads`` (fact type -> field names; see ``FactPlan.reads``)."""
        def pick(ftype: str, names: tuple) -> tuple:
            return tuple(n for n in names if n in reads.get(ftype, ()))

        claim = reads.get("claim", set())
        line = reads.get("line", set())
        return BaseFields(
            claim=pick("claim", _CLAIM), claim_extra=frozenset(n for n in _EVERY.claim_extra if n in claim),
            line=pick("line", _LINE), line_modifiers=any(f"modifier{k}" in line for k in range(1, 5)),
            rendering_npi="rendering_npi" in line, diagnosis=pick("diagnosis", _DIAGNOSIS),
            person=pick("patient", _PERSON), address=tuple(n for n in _ADDRESS if n in reads.get("patient", ())
                                                             or n in reads.get("provider", ())),
            provider=pick("provider", _PROVIDER),
            params=tuple(sorted(n[len(PARAM_PREFIX):] for n in claim if n.startswith(PARAM_PREFIX))))


_EVERY = BaseFields()


def base_objects(claim: Claim, context: ClaimContext, want: BaseFields = _EVERY) -> dict[str, list[tuple[Any, dict]]]:
    """Each fact type's (object, base values) list, before derived fields and tags: the fields of ``want``,
    and on every fact ``dos`` (the in-force window reads it), counts and flags (cheap)."""
    claim_dos = plain(claim.service_from)
    c: dict = {}
    _put_fields(c, claim, want.claim)
    extra = want.claim_extra
    if extra:
        if claim.payer is not None:
            if "payer_id" in extra:
                _put(c, "payer_id", claim.payer.payer_id)
            if "payer_name" in extra:
                _put(c, "payer_name", claim.payer.name)
        for name in ("condition_codes", "occurrence_codes", "value_codes"):
            if name in extra:
                _put(c, name, tuple(e.code for e in getattr(claim, name)))
        if "profile_id" in extra:
            _put(c, "profile_id", context.profile_id)
    c["line_count"] = float(len(claim.lines))
    c["diagnosis_count"] = float(len(claim.diagnoses))
    params = context.params or {}
    if want.params is not None:  # the standard packs read none of the ~50 (lists of limits among them)
        params = {n: params[n] for n in want.params if n in params}
    for pname, pval in params.items():
        key = _PARAM_KEYS.get(pname)
        if key is None:
            key = _PARAM_KEYS[pname] = _key(f"param.{pname}")
        pval = plain(float(pval) if isinstance(pval, int) and not isinstance(pval, bool) else pval)
        if pval is not None:
            c[key] = pval
    _put(c, "dos", claim.service_from)
    out: dict[str, list] = {"claim": [(claim, c)]}

    lines = []
    owners = [(p, None, claim_dos) for p in claim.providers]  # (provider, its line's number, its dos)
    for line in claim.lines:
        d: dict = {}
        _put_fields(d, line, want.line)
        if "number" in d:
            d["number"] = float(d["number"])
        if want.line_modifiers:
            for key, mod in zip(_MODIFIER_KEYS, line.modifiers):
                mod = plain(mod)
                if mod is not None:
                    d[key] = mod
        if want.rendering_npi:
            rendering = line.provider("rendering")
            _put(d, "rendering_npi", rendering.npi if rendering else None)
        dos = plain(line.date_from) or claim_dos
        if dos is not None:
            d["dos"] = dos
        lines.append((line, d))
        owners.extend((p, line.number, dos) for p in line.providers)
    out["line"] = lines

    dxs = []
    for dx in claim.diagnoses:
        d = {"position": float(dx.position), "is_principal": dx.is_principal, "is_icd9": dx.is_icd9}
        _put_fields(d, dx, want.diagnosis)
        if claim_dos is not None:
            d["dos"] = claim_dos
        dxs.append((dx, d))
    out["diagnosis"] = dxs

    provs = []
    for p, line_no, dos in owners:  # the claim's providers first, then each line's
        d = {}
        _provider_fields(p, line_no, d, want)
        if dos is not None:
            d["dos"] = dos
        provs.append((p, d))
    out["provider"] = provs

    patient = claim.patient or claim.subscriber
    pats = []
    if patient is not None:
        d = {"is_subscriber": patient is claim.subscriber or patient.relationship == "18"}
        _person_fields(patient, d, want)
        if claim_dos is not None:
            d["dos"] = claim_dos
        pats.append((patient, d))
    out["patient"] = pats

    covs = []
    if context.coverage is not None:
        d = {}
        for name in ("member_id", "payer_id", "plan", "start", "end", "active", "responsibility"):
            v = context.coverage.get(name)
            if name in ("start", "end") and isinstance(v, str):
                v = date.fromisoformat(v)
            _put(d, name, v)
        if claim_dos is not None:
            d["dos"] = claim_dos
        covs.append((context.coverage, d))
    out["coverage"] = covs
    return out
