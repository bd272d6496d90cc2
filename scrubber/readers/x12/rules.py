"""Structure findings of the X12 reader: every rule id, its severity and how to fix it, in one place.

These are WEDI SNIP level 1-2 checks the reader makes as it reads (envelopes, control
numbers, counts, segment vocabulary and order, required segments and elements, data
types). They are built in, not YAML rules, because they describe whether the bytes are a
well-formed 837 at all. Transaction-level findings are attached to every claim of the
transaction; interchange- and group-level ones become ``RunError(kind="structure")``.

Location paths: ``LOOP/SEGnn`` (``2300/CLM02``, ``2010BA/NM109``), composites
``-n`` (``2300/CLM05-1``); loop repeats in brackets: ``2400[n]`` is the claim's n-th
service line, ``2320[n]`` its n-th other payer; sub-loops nest (``2400[2]/2420A/NM109``,
``2320[1]/2330B/NM109``); repeated HI segments are numbered within the claim
(``2300/HI[k]mm-2`` = HI segment k, composite mm, component 2). The segment number
(1-based, counted over the whole file) pins every location down exactly.
"""
from __future__ import annotations

from typing import NamedTuple, Optional

from scrubber.model import Finding

GUIDE = "ASC X12 005010 837 implementation guide (X222A1 / X223A2)"
SYNTAX = "ASC X12.5 / X12.6 interchange and syntax rules"


class StructureRule(NamedTuple):
    severity: str
    title: str
    suggestion: str
    source: str


RULES: dict[str, StructureRule] = {
    # Envelopes and control numbers (SNIP 1)
    "X12-ISA": StructureRule("error", "ISA header malformed", "The ISA is fixed width: 16 elements, 106 characters with the segment terminator; regenerate the envelope.", SYNTAX),
    "X12-ISA-MISSING": StructureRule("error", "no ISA interchange header", "Start the file with an ISA segment; delimiters were guessed.", SYNTAX),
    "X12-IEA-MISSING": StructureRule("error", "interchange not closed by IEA", "End every ISA interchange with IEA.", SYNTAX),
    "X12-GS-MISSING": StructureRule("error", "transaction outside a functional group", "Wrap transactions in GS ... GE.", SYNTAX),
    "X12-GE-MISSING": StructureRule("error", "functional group not closed by GE", "End every GS group with GE.", SYNTAX),
    "X12-ST-MISSING": StructureRule("error", "segments outside a transaction (no ST)", "Every transaction starts with ST.", SYNTAX),
    "X12-SE-MISSING": StructureRule("error", "transaction not closed by SE", "End every transaction with SE.", SYNTAX),
    "X12-CTRL-ISA": StructureRule("error", "IEA02 does not match ISA13", "Use the same interchange control number in ISA13 and IEA02.", SYNTAX),
    "X12-CTRL-GS": StructureRule("error", "GE02 does not match GS06", "Use the same group control number in GS06 and GE02.", SYNTAX),
    "X12-CTRL-ST": StructureRule("error", "SE02 does not match ST02", "Use the same transaction control number in ST02 and SE02.", SYNTAX),
    "X12-IEA01": StructureRule("error", "IEA01 group count wrong", "IEA01 must equal the number of GS groups in the interchange.", SYNTAX),
    "X12-GE01": StructureRule("error", "GE01 transaction count wrong", "GE01 must equal the number of ST transactions in the group.", SYNTAX),
    "X12-SE01": StructureRule("error", "SE01 segment count wrong", "SE01 must equal the number of segments from ST to SE inclusive.", SYNTAX),
    "X12-ST-TYPE": StructureRule("error", "transaction is not an 837 claim", "Only 837 transactions are claims; send others to the right tool.", SYNTAX),
    "X12-VERSION": StructureRule("warning", "implementation guide version not 005010 837", "HIPAA requires 005010X222A1 (837P) or 005010X223A2 (837I); the claim was read on a best-effort basis.", GUIDE),
    "X12-FILE-CLAIMS": StructureRule("error", "file has more claims than the claims-per-file limit", "Split the file, or raise CLAIMSCRUB_X12_MAX_CLAIMS_PER_FILE (claimscrub's own limit, default 1,000,000): the claims past it were listed as unreadable, not read.", "claimscrub limit (docs/reliability.md)"),
    "X12-TX-SIZE": StructureRule("error", "transaction has more segments than the segment limit", "Split the transaction (the guides recommend at most 5,000 claims per ST-SE), or raise CLAIMSCRUB_X12_MAX_TRANSACTION_SEGS (claimscrub's own limit, default 10,000,000).", "claimscrub limit (docs/reliability.md)"),
    "X12-SEG-SIZE": StructureRule("error", "segment longer than the segment-size limit", "No 837 segment comes near 64 K characters: the segment terminator is probably wrong, or an element holds a whole document; fix the file (limit: CLAIMSCRUB_X12_MAX_SEGMENT_CHARS).", "claimscrub limit (docs/reliability.md)"),
    "X12-TRUNCATED": StructureRule("error", "file ends inside a segment", "The last segment has no terminator; the file may be truncated.", SYNTAX),
    # Segments (SNIP 1-2)
    "X12-SEG-UNKNOWN": StructureRule("error", "unknown segment", "Segment ids are 2-3 upper-case letters or digits from the 837 guide; check for a corrupted or mistyped segment.", GUIDE),
    "X12-SEG-MISPLACED": StructureRule("error", "segment not allowed here", "Move the segment to the loop the implementation guide puts it in.", GUIDE),
    "X12-SEG-ORDER": StructureRule("error", "segments out of order", "Order the loop's segments as the implementation guide lists them.", GUIDE),
    "X12-LOOP-REPEAT": StructureRule("error", "loop repeats more often than the guide allows", "Split the claim: an 837P claim carries at most 50 service lines (loop 2400), an 837I claim at most 999.", GUIDE),
    "X12-REQ-SEG": StructureRule("error", "required segment missing", "Add the segment the implementation guide requires in this loop.", GUIDE),
    "X12-ELEM-LENGTH": StructureRule("error", "element longer than its X12 maximum length", "Shorten the element to the maximum length the X12 005010 data element dictionary gives it (numbers count digits only).", "ASC X12 005010 data element dictionary (via pyx12's 837 maps)"),
    "X12-REQ-ELEM": StructureRule("error", "required element missing", "Fill in the element the implementation guide requires.", GUIDE),
    "X12-HL": StructureRule("error", "HL hierarchy broken", "HL01 numbers run 1, 2, 3 ...; HL02 names the parent (2000B under a 2000A, 2000C under a 2000B); HL03 is 20, 22 or 23.", GUIDE),
    # Data types (SNIP 1)
    "X12-AMOUNT": StructureRule("error", "amount or quantity is not a number", "Write amounts as decimal numbers (e.g. 125.50) without currency signs or thousands separators.", SYNTAX),
    "X12-DATE": StructureRule("error", "date is not a valid calendar date", "Dates are CCYYMMDD (D8), CCYYMMDD-CCYYMMDD (RD8) or CCYYMMDDHHMM (DT).", SYNTAX),
    "X12-CODE": StructureRule("error", "element holds a value the guide does not allow", "Use a code from the implementation guide's list for this element.", GUIDE),
}


def finding(
    rule_id: str,
    message: str,
    path: Optional[str] = None,
    segment: Optional[int] = None,
    line: Optional[int] = None,
    codes: tuple[str, ...] = (),
) -> Finding:
    """A structure Finding for ``rule_id``, located at ``path`` / ``segment``."""
    rule = RULES[rule_id]
    return Finding(
        rule_id=rule_id,
        severity=rule.severity,
        category="structure",
        message=message,
        suggestion=rule.suggestion,
        source=rule.source,
        line=line,
        location_path=path,
        location_segment=segment,
        codes=codes,
    )
