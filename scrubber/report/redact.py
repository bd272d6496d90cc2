"""`--redact`: mask patient names, member ids and birth dates in every output format.

``redact_result`` returns a new RunResult; ``scrubber.report.render`` applies it before any
renderer runs, so no format can forget it. Besides the ClaimResult fields that hold PHI, a
finding's message or suggestion may quote a member id or a name (an eligibility rule saying
which member was not found), and the drill-down's segment text holds the X12 itself: each
claim's known values are masked wherever they appear in that claim's strings, and the name,
id and birth-date elements of patient segments (NM1*IL / NM1*QC, DMG) are masked by position.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Callable, Iterable, Optional

from scrubber.model.result import ClaimResult, RunError, RunResult
from scrubber.model.spool import ClaimSpool

MASK = "***"
_PERSON_ENTITIES = ("IL", "QC")  # NM101: insured / subscriber, patient


def _secrets(c: ClaimResult) -> list[str]:
    """The PHI strings of one claim, longest first so a full name is masked before its parts."""
    out: set[str] = set()
    if c.patient_name:
        out.add(c.patient_name)
        out.update(part for part in c.patient_name.split() if len(part) >= 2)
    if c.member_id and len(c.member_id) >= 2:
        out.add(c.member_id)
    if c.birth_date:
        out.add(c.birth_date)
        out.add(c.birth_date.replace("-", ""))  # X12 D8 form: CCYYMMDD
    return sorted(out, key=lambda s: (-len(s), s))


def _pattern(secrets: Iterable[str]) -> Optional[re.Pattern]:
    parts = [re.escape(s) for s in secrets]
    if not parts:
        return None
    # Whole tokens only, so a surname such as "AN" does not eat the inside of other words.
    return re.compile(r"(?<![A-Za-z0-9])(?:" + "|".join(parts) + r")(?![A-Za-z0-9])", re.IGNORECASE)


def _mask(text: Optional[str], pattern: Optional[re.Pattern]) -> Optional[str]:
    if text is None or pattern is None:
        return text
    return pattern.sub(MASK, text)


def mask_segment(text: str, element_sep: str = "*") -> str:
    """Mask a patient segment's PHI elements by position: NM1*IL/QC names and id, DMG birth date."""
    elements = text.split(element_sep)
    tag = elements[0].strip()
    if tag == "NM1" and len(elements) > 1 and elements[1] in _PERSON_ENTITIES:
        for i in (3, 4, 5, 9):
            if i < len(elements) and elements[i]:
                elements[i] = MASK
    elif tag == "DMG" and len(elements) > 2 and elements[2]:
        elements[2] = MASK
    return element_sep.join(elements)


def _segment_sep(text: str) -> str:
    """The element separator of an X12 segment: the character after its 2-3 letter tag."""
    m = re.match(r"\s*[A-Z0-9]{2,3}(\W)", text)
    return m.group(1) if m else "*"


def _mentions(c: ClaimResult, secrets: list[str]) -> bool:
    """Whether any of the claim's strings contains a secret (a cheap test before compiling a regex)."""
    texts = [c.error or ""] + [t for _, t in c.segments]
    for f in c.findings:
        texts += [f.message, f.suggestion or "", *f.codes]
    blob = "\n".join(texts).lower()
    return any(s.lower() in blob for s in secrets)


def claim_masker(c: ClaimResult) -> Callable[[Optional[str]], Optional[str]]:
    """A function masking this claim's PHI in a string (identity when the claim's strings hold none)."""
    secrets = _secrets(c)
    pattern = _pattern(secrets) if secrets and _mentions(c, secrets) else None
    if pattern is None:
        return lambda text: text
    return lambda text: _mask(text, pattern)


def redact_claim(c: ClaimResult) -> ClaimResult:
    secrets = _secrets(c)
    pattern = _pattern(secrets) if secrets and _mentions(c, secrets) else None
    findings = c.findings
    if pattern is not None:
        findings = tuple(
            dataclasses.replace(f, message=_mask(f.message, pattern), suggestion=_mask(f.suggestion, pattern),
                                codes=tuple(_mask(x, pattern) for x in f.codes))
            for f in c.findings
        )
    segments = tuple((n, _mask(mask_segment(t, _segment_sep(t)), pattern)) for n, t in c.segments)
    return dataclasses.replace(
        c,
        patient_name=MASK if c.patient_name else None,
        member_id=MASK if c.member_id else None,
        birth_date=MASK if c.birth_date else None,
        findings=findings,
        error=_mask(c.error, pattern),
        segments=segments,
    )


def redact_errors(result: RunResult) -> list[RunError]:
    """Run errors with every claim's PHI masked (an error message may quote any claim)."""
    if not result.errors:
        return []
    everyone: set[str] = set()
    for c in result.claims:
        everyone.update(_secrets(c))
    blob = "\n".join(e.message for e in result.errors).lower()
    present = sorted((s for s in everyone if s.lower() in blob), key=lambda s: (-len(s), s))
    pattern = _pattern(present)
    return [dataclasses.replace(e, message=_mask(e.message, pattern)) for e in result.errors]


def redact_result(result: RunResult) -> RunResult:
    """A copy of ``result`` with PHI masked in every claim and run error."""
    return RunResult(tool_version=result.tool_version, run=result.run,
                     claims=ClaimSpool(redact_claim(c) for c in result.claims), errors=redact_errors(result),
                     denials=getattr(result, "denials", None))
