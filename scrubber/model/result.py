"""Findings and the run result: the one object every output format renders.

``RunResult.to_dict()`` is the JSON contract of DESIGN.md (schema:
``scrubber/schemas/run_result.schema.json``). Renderers take a RunResult and
never re-derive findings; the summary is computed here, once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields
from operator import attrgetter
from decimal import Decimal
from typing import Any, Callable, Optional

from scrubber.model.spool import ClaimSpool

CATEGORIES = (
    "structure",
    "balance",
    "data-integrity",
    "code-validity",
    "age-sex",
    "dx-dx",
    "ncci-ptp",
    "mue",
    "modifier",
    "medical-necessity",
    "eligibility",
    "payer-policy",
    "duplicate",
)
SEVERITIES = ("error", "warning", "info")
FAIL_ON_CHOICES = (*SEVERITIES, "never")  # --fail-on / the fail_on setting: "never" = exit 0 on findings
# Report formats, the one list (scrubber.report.FORMATS maps each to its module; settings and the
# --format options of scrub and audit offer exactly these).
OUTPUT_FORMATS = ("text", "json", "csv", "html", "junit")
SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
STATUSES = ("clean", "flagged", "unreadable")


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    severity: str
    category: str
    message: str
    suggestion: Optional[str] = None
    source: Optional[str] = None
    line: Optional[int] = None  # service line number (LX01) or None for claim level
    location_path: Optional[str] = None  # "2400[2]/SV101-2"
    location_segment: Optional[int] = None  # 1-based segment number in the file
    codes: tuple[str, ...] = ()

    def __reduce__(self):
        return Finding, _FINDING_VALUES(self)

    def to_dict(self) -> dict:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "category": self.category,
            "message": self.message,
            "suggestion": self.suggestion,
            "source": self.source,
            "line": self.line,
            "location": {"path": self.location_path, "segment": self.location_segment},
            "codes": list(self.codes),
        }

    def sort_key(self) -> tuple:
        return (
            -SEVERITY_RANK.get(self.severity, 0),
            self.line if self.line is not None else -1,
            self.location_segment or 0,
            self.rule_id,
            self.message,
        )


@dataclass(frozen=True, slots=True)
class RunError:
    """A problem with the run rather than a claim: unreadable input, a rule that raised, a retry."""

    kind: str  # e.g. "unreadable-claim", "structure", "rule-error", "engine-retry", "verify-mismatch"
    message: str
    path: Optional[str] = None
    segment: Optional[int] = None

    def __reduce__(self):
        return RunError, _RUN_ERROR_VALUES(self)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "path": self.path, "segment": self.segment}


@dataclass(frozen=True, slots=True)
class ClaimResult:
    claim_id: str
    source_path: str
    source_segment: Optional[int]
    status: str  # clean | flagged | unreadable
    payer: Optional[str] = None
    total_charge: Optional[Decimal] = None
    findings: tuple[Finding, ...] = ()
    error: Optional[str] = None  # why an unreadable claim could not be built
    # Extra facts reports total by; not part of the finding itself.
    payer_id: Optional[str] = None
    billing_npi: Optional[str] = None
    rendering_npi: Optional[str] = None
    service_date: Optional[str] = None
    patient_name: Optional[str] = None
    member_id: Optional[str] = None
    birth_date: Optional[str] = None
    # (segment number, segment text) of the X12 segments this claim's findings point at, for the
    # HTML drill-down. Holds PHI; not part of the JSON contract; masked by --redact.
    segments: tuple[tuple[int, str], ...] = ()
    # Where the claim sat in its X12 file (scrubber.model.envelope.X12Envelope); in the JSON as the
    # optional "envelope" object, so a saved result can be acknowledged (999 / 277CA).
    envelope: Optional[Any] = None
    # What a 277CA says beyond findings (scrubber.model.envelope.ClaimAckDetail). Holds PHI; not
    # part of the JSON contract.
    ack_detail: Optional[Any] = None

    def __reduce__(self):
        return ClaimResult, _CLAIM_RESULT_VALUES(self)

    @staticmethod
    def status_for(findings, unreadable: bool = False) -> str:
        if unreadable:
            return "unreadable"
        return "flagged" if any(f.severity == "error" for f in findings) else "clean"

    def worst_rank(self) -> int:
        return max((SEVERITY_RANK.get(f.severity, 0) for f in self.findings), default=0)

    def to_dict(self, envelope: bool = True) -> dict:
        """The claim's entry of the JSON contract; ``envelope=False`` leaves out its last key,
        ``envelope`` (``json_report.claim_text`` writes that object's text once per transaction)."""
        d = {
            "claim_id": self.claim_id,
            "source": {"path": self.source_path, "segment": self.source_segment},
            "status": self.status,
            "payer": self.payer,
            "total_charge": _num(self.total_charge),
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.error is not None:
            d["error"] = self.error
        if envelope and self.envelope is not None:
            d["envelope"] = self.envelope.to_dict()
        return d


def _values_of(cls) -> Callable[[Any], tuple]:
    """A function giving an instance's field values in ``cls(*values)`` order: what pickling sends.

    Why: the frozen slots dataclasses' generated ``__setstate__`` calls ``dataclasses.fields`` for
    every object unpickled (about a second of a 20,000-claim ``--jobs 2`` parent's CPU); a
    ``__reduce__`` to the constructor's positional arguments is a C attrgetter and one ``__init__``."""
    getter = attrgetter(*(f.name for f in fields(cls)))
    return getter if len(fields(cls)) > 1 else (lambda obj: (getter(obj),))


_FINDING_VALUES = _values_of(Finding)
_RUN_ERROR_VALUES = _values_of(RunError)
_CLAIM_RESULT_VALUES = _values_of(ClaimResult)


@dataclass
class RunInfo:
    started: str
    payer_profile: Optional[str] = None
    inputs: list[dict] = field(default_factory=list)  # {"path", "sha256"}
    rulesets: list[dict] = field(default_factory=list)  # {"id", "version", "sha256"}
    refdata: list[dict] = field(default_factory=list)  # {"kind", "edition", "sha256"}
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict:
        d = {
            "started": self.started,
            "payer_profile": self.payer_profile,
            "inputs": list(self.inputs),
            "rulesets": list(self.rulesets),
            "refdata": list(self.refdata),
        }
        d.update(self.extra)
        return d


@dataclass
class RunResult:
    tool_version: str
    run: RunInfo
    claims: "ClaimSpool | list[ClaimResult]" = field(default_factory=lambda: ClaimSpool())  # in memory up to a limit, then on disk
    errors: list[RunError] = field(default_factory=list)
    denials: Optional[dict] = None  # audit --remits: the denial correlation (scrubber.denials.figures)

    def __post_init__(self):
        # A spool this run fills from empty keeps the summary's totals as results arrive (the
        # summary then needs no second pass over results that may be on disk); one handed in
        # full (a redacted copy, a test's) is counted when asked.
        if isinstance(self.claims, ClaimSpool) and not self.claims and self.claims.totals is None:
            self.claims.totals = ClaimTotals()

    def summary(self) -> dict:
        totals = getattr(self.claims, "totals", None)
        if totals is None:
            totals = ClaimTotals()
            for c in self.claims:
                totals.add(c)
        return totals.summary(len(self.claims))

    def to_dict(self) -> dict:
        return {
            "tool": {"name": "claimscrub", "version": self.tool_version},
            "run": self.run.to_dict(),
            "summary": self.summary(),
            "claims": [c.to_dict() for c in self.claims],
            "errors": [e.to_dict() for e in self.errors],
            **({"denials": self.denials} if self.denials is not None else {}),
        }


class ClaimTotals:
    """What the summary counts, added up claim by claim (or block by block: ``merge``).

    A worker adds up its own chunks' results and sends the totals beside the pickled results,
    so the parent never unpickles a result to summarize the run (``scrubber.jobs``)."""

    __slots__ = ("by_status", "by_severity", "by_rule", "at_risk")

    def __init__(self):
        self.by_status: Counter = Counter()
        self.by_severity: Counter = Counter()
        self.by_rule: Counter = Counter()
        self.at_risk = Decimal(0)

    def __getstate__(self):
        return (self.by_status, self.by_severity, self.by_rule, self.at_risk)

    def __setstate__(self, state):
        self.by_status, self.by_severity, self.by_rule, self.at_risk = state

    def add(self, c: "ClaimResult") -> None:
        self.by_status[c.status] += 1
        for f in c.findings:
            self.by_severity[f.severity] += 1
            self.by_rule[f.rule_id] += 1
        if c.status == "flagged" and c.total_charge is not None:
            self.at_risk += c.total_charge

    def merge(self, other: "ClaimTotals") -> None:
        self.by_status.update(other.by_status)
        self.by_severity.update(other.by_severity)
        self.by_rule.update(other.by_rule)
        self.at_risk += other.at_risk

    def summary(self, claims_total: int) -> dict:
        return {
            "claims_total": claims_total,
            "claims_clean": self.by_status.get("clean", 0),
            "claims_flagged": self.by_status.get("flagged", 0),
            "claims_unreadable": self.by_status.get("unreadable", 0),
            "findings_by_severity": {s: self.by_severity.get(s, 0) for s in SEVERITIES},
            "findings_by_rule": dict(sorted(self.by_rule.items())),
            "charges_at_risk": _num(self.at_risk),
        }


def _num(v: Optional[Decimal]):
    """Money as a JSON number with cents kept exact (float of a 2-place Decimal round-trips)."""
    if v is None:
        return None
    return float(v)
