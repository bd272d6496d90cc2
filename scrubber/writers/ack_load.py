"""A saved JSON result (``scrub --format json``) back into what the acknowledgement writers read.

The JSON result carries each X12 claim's envelope (control numbers, sender, receiver, ST
position) and its findings: enough for the 999. A 277CA also names the patient and the billing
provider, which the JSON result deliberately leaves out (PHI), so ``attach_details`` re-reads
the acknowledged 837 files the result names, checking each one's sha256 against the result.
"""
from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Optional

from scrubber.model import Finding, RunError
from scrubber.model.envelope import X12Envelope, detail_of
from scrubber.model.result import ClaimResult


class SavedResultError(Exception):
    """A saved result that cannot be acknowledged as asked (not a result; inputs gone or changed)."""


def _finding(d: dict) -> Finding:
    loc = d.get("location") or {}
    return Finding(rule_id=d["rule_id"], severity=d["severity"], category=d["category"], message=d.get("message") or "",
                   suggestion=d.get("suggestion"), source=d.get("source"), line=d.get("line"),
                   location_path=loc.get("path"), location_segment=loc.get("segment"), codes=tuple(d.get("codes") or ()))


def _claim(d: dict) -> ClaimResult:
    src = d.get("source") or {}
    charge = d.get("total_charge")
    return ClaimResult(
        claim_id=d["claim_id"], source_path=src.get("path") or "", source_segment=src.get("segment"),
        status=d["status"], payer=d.get("payer"), total_charge=Decimal(str(charge)) if charge is not None else None,
        findings=tuple(_finding(f) for f in d.get("findings") or ()), error=d.get("error"),
        envelope=X12Envelope.from_dict(d.get("envelope")))


def load_result(path: str) -> tuple[list[ClaimResult], list[RunError], list[dict]]:
    """Claims, run errors and inputs of a saved JSON result."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        claims = [_claim(c) for c in data["claims"]]
        errors = [RunError(e.get("kind") or "", e.get("message") or "", e.get("path"), e.get("segment")) for e in data.get("errors") or ()]
        inputs = list((data.get("run") or {}).get("inputs") or ())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SavedResultError(f"{path}: not a claimscrub JSON result ({type(exc).__name__}: {exc})") from exc
    return claims, errors, inputs


def attach_details(claims: list[ClaimResult], inputs: list[dict]) -> tuple[list[ClaimResult], list[str]]:
    """The claims with their 277CA detail and cited segments from the re-read 837s; and the
    problems (an input missing or changed since the scrub), one line each."""
    from scrubber.model.segments import cited_segments
    from scrubber.pipeline import sha256_of
    from scrubber.readers import iter_records

    wanted = {(c.source_path, c.source_segment): i for i, c in enumerate(claims) if c.envelope is not None}
    paths = sorted({c.source_path for c in claims if c.envelope is not None})
    known = {i.get("path"): i.get("sha256") for i in inputs}
    problems: list[str] = []
    readable: list[str] = []
    for p in paths:
        digest: Optional[str] = sha256_of(p)
        if digest is None:
            problems.append(f"{p}: the acknowledged file is not there any more")
        elif known.get(p) and known[p] != digest:
            problems.append(f"{p}: the file changed since it was scrubbed (sha256 differs)")
        else:
            readable.append(p)
    out = list(claims)
    for p in readable:
        for rec in iter_records([p]):
            claim = getattr(rec, "claim", None)
            if claim is None:
                continue
            i = wanted.get((claim.source.path, claim.source.segment))
            if i is None:
                continue
            out[i] = dataclasses.replace(out[i], ack_detail=detail_of(claim), segments=cited_segments(rec, out[i].findings))
    return out, problems
