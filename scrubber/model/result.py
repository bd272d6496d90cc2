"""Findings and the run result: the one object every output format renders.

``RunResult.to_dict()`` is the JSON contract of DESIGN.md (schema:
``scrubber/schemas/run_result.schema.json``). Renderers take a RunResult and
never re-derive findings; the summary is computed here, once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional

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

    @staticmethod
    def status_for(findings, unreadable: bool = False) -> str:
        if unreadable:
            return "unreadable"
        return "flagged" if any(f.severity == "error" for f in findings) else "clean"

    def worst_rank(self) -> int:
        return max((SEVERITY_RANK.get(f.severity, 0) for f in self.findings), default=0)

    def to_dict(self) -> dict:
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
        if self.envelope is not None:
            d["envelope"] = self.envelope.to_dict()
        return d


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

    def summary(self) -> dict:
        by_status = Counter(c.status for c in self.claims)
        by_sev: Counter = Counter()
        by_rule: Counter = Counter()
        at_risk = Decimal(0)
        for c in self.claims:
            for f in c.findings:
                by_sev[f.severity] += 1
                by_rule[f.rule_id] += 1
            if c.status == "flagged" and c.total_charge is not None:
                at_risk += c.total_charge
        return {
            "claims_total": len(self.claims),
            "claims_clean": by_status.get("clean", 0),
            "claims_flagged": by_status.get("flagged", 0),
            "claims_unreadable": by_status.get("unreadable", 0),
            "findings_by_severity": {s: by_sev.get(s, 0) for s in SEVERITIES},
            "findings_by_rule": dict(sorted(by_rule.items())),
            "charges_at_risk": _num(at_risk),
        }

    def to_dict(self) -> dict:
        return {
            "tool": {"name": "claimscrub", "version": self.tool_version},
            "run": self.run.to_dict(),
            "summary": self.summary(),
            "claims": [c.to_dict() for c in self.claims],
            "errors": [e.to_dict() for e in self.errors],
            **({"denials": self.denials} if self.denials is not None else {}),
        }


def _num(v: Optional[Decimal]):
    """Money as a JSON number with cents kept exact (float of a 2-place Decimal round-trips)."""
    if v is None:
        return None
    return float(v)
