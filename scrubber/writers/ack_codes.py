"""The one mapping from claimscrub's structure rules (X12-*) to 999 and 277CA codes.

Every code here is a value of an ASC X12 code list as the 005010X231A1 (999) and 005010X214
(277CA) implementation guides use it; docs/acks.md lists each with its short name and source.
X12 code lists are published by X12 / Washington Publishing Company: only the code values and
the short descriptions needed to read this table are shipped. A structure rule missing from
``SEGMENT_CODES`` / ``TRANSACTION_CODES`` / ``GROUP_CODES`` is a test failure
(tests/test_ack999.py), so a new reader rule cannot silently go unacknowledged.
"""
from __future__ import annotations

from typing import NamedTuple, Optional


class SegmentCode(NamedTuple):
    ik304: str  # Implementation Segment Syntax Error Code (X12 element 620)
    ik403: Optional[str]  # Implementation Data Element Syntax Error Code (element 621); None: no IK4


# Claim- and loop-level structure findings -> IK3 (and IK4 when an element is at fault).
SEGMENT_CODES: dict[str, SegmentCode] = {
    "X12-SEG-UNKNOWN": SegmentCode("1", None),  # Unrecognized segment ID
    "X12-SEG-MISPLACED": SegmentCode("2", None),  # Unexpected segment
    "X12-HL": SegmentCode("2", None),  # Unexpected segment: an HL whose parent or level does not fit here
    "X12-SEG-ORDER": SegmentCode("7", None),  # Segment Not in Proper Sequence
    "X12-LOOP-REPEAT": SegmentCode("4", None),  # Loop Occurs Over Maximum Times (2400 past the guide's repeat)
    "X12-REQ-SEG": SegmentCode("3", None),  # Required Segment Missing
    "X12-REQ-ELEM": SegmentCode("8", "1"),  # Segment Has Data Element Errors / Required Data Element Missing
    "X12-AMOUNT": SegmentCode("8", "6"),  # ... / Invalid Character In Data Element
    "X12-DATE": SegmentCode("8", "8"),  # ... / Invalid Date
    "X12-CODE": SegmentCode("8", "7"),  # ... / Invalid Code Value
    "X12-ELEM-LENGTH": SegmentCode("8", "5"),  # ... / Data Element Too Long
    "X12-SEG-SIZE": SegmentCode("8", "5"),  # ... / Data Element Too Long (a segment cut at the size limit)
}
# A claim the reader could not build at all: its CLM is reported with data element errors.
UNREADABLE_CLAIM = SegmentCode("8", None)
UNREADABLE_NO_CLAIM_ID = SegmentCode("8", "1")  # CLM01 missing

# Transaction-level findings -> IK5-02..06 (Implementation Transaction Set Syntax Error Code, 718).
TRANSACTION_CODES: dict[str, str] = {
    "X12-SE-MISSING": "2",  # Transaction Set Trailer Missing
    "X12-CTRL-ST": "3",  # Transaction Set Control Number in Header and Trailer Do Not Match
    "X12-SE01": "4",  # Number of Included Segments Does Not Match Actual Count
    "X12-VERSION": "I6",  # Implementation Convention Not Supported (a warning: read best-effort)
    "X12-ST-MISSING": "6",  # Missing or Invalid Transaction Set Identifier
    "X12-TX-SIZE": "5",  # One or More Segments in Error (segments past claimscrub's limit not read)
}
SEGMENTS_IN_ERROR = "5"  # One or More Segments in Error (IK5, with IK3 loops)

# Group-level run errors -> AK905..909 (Functional Group Syntax Error Code, 716).
GROUP_CODES: dict[str, str] = {
    "X12-GE-MISSING": "3",  # Functional Group Trailer Missing
    "X12-CTRL-GS": "4",  # Group Control Number in the Functional Group Header and Trailer Do Not Agree
    "X12-GE01": "5",  # Number of Included Transaction Sets Does Not Match Actual Count
}
# Rules that are not about one transaction or group: the interchange (TA1's business, not the
# 999's), or transactions that are not 837s (reported as run errors, not acknowledged).
NOT_IN_999 = frozenset({"X12-ISA", "X12-ISA-MISSING", "X12-IEA-MISSING", "X12-CTRL-ISA", "X12-IEA01",
                        "X12-ST-TYPE", "X12-TRUNCATED", "X12-GS-MISSING", "X12-FILE-CLAIMS"})

# X12 data element reference numbers (IK402) of the 837 elements the reader checks, as the
# 005010 837P / 837I guides list them (tests check each against pyx12's maps of both guides).
# Composite components are "SEGnn-k".
ELEMENT_REFS: dict[str, str] = {
    "BHT04": "373", "BHT05": "337",
    "HL01": "628", "HL02": "734", "HL03": "735", "HL04": "736",
    "SBR01": "1138", "SBR02": "1069", "SBR09": "1032",
    "NM101": "98", "NM102": "1065", "NM103": "1035", "NM108": "66", "NM109": "67",
    "N301": "166", "N401": "19", "N402": "156", "N403": "116",
    "DMG01": "1250", "DMG02": "1251", "DMG03": "1068",
    "PAT01": "1069", "PAT06": "1251", "PAT08": "81",
    "REF01": "128", "REF02": "127", "PRV03": "127",
    "CLM01": "1028", "CLM02": "782", "CLM05-1": "1331", "CLM05-2": "1332", "CLM05-3": "1325",
    "CLM06": "1073", "CLM07": "1359", "CLM08": "1073", "CLM09": "1363",
    "DTP01": "374", "DTP02": "1250", "DTP03": "1251",
    "CL101": "1315", "CL102": "1314", "CL103": "1352",
    "AMT01": "522", "AMT02": "782", "LX01": "554",
    "SV101-1": "235", "SV101-2": "234", "SV102": "782", "SV103": "355", "SV104": "380", "SV105": "1331",
    "SV107-1": "1328", "SV107-2": "1328", "SV107-3": "1328", "SV107-4": "1328",
    "SV201": "234", "SV202-1": "235", "SV202-2": "234", "SV203": "782", "SV204": "355", "SV205": "380",
}
# HI01..HI12 composites (C022) share one layout.
_HI_COMPONENTS = {1: "1270", 2: "1271", 3: "1250", 4: "1251", 5: "782"}


def element_ref(segment_id: str, element: int, component: Optional[int]) -> Optional[str]:
    """IK402 for an element position, or None when this table does not know it."""
    if segment_id == "HI" and 1 <= element <= 12 and component in _HI_COMPONENTS:
        return _HI_COMPONENTS[component]
    key = f"{segment_id}{element:02d}"
    return ELEMENT_REFS.get(f"{key}-{component}" if component else key) or (ELEMENT_REFS.get(key) if component else None)


# 277CA (005010X214) claim status category codes (X12 element 1271 list 507, "Health Care Claim
# Status Category Code"; the A-category codes the 277CA uses: X12 RFI 1942) and the claim status
# codes (list 508) this writer sends. docs/acks.md says what each means.
CATEGORY_RECEIVED = "A1"  # Acknowledgement/Receipt (used in 2200B and 2200C)
CATEGORY_ACCEPTED = "A2"  # Acknowledgement/Acceptance into adjudication system
CATEGORY_UNPROCESSABLE = "A3"  # Acknowledgement/Returned as unprocessable claim
CATEGORY_MISSING = "A6"  # Acknowledgement/Rejected for Missing Information
CATEGORY_INVALID = "A7"  # Acknowledgement/Rejected for Invalid Information
STATUS_RECEIVED = "19"  # Entity acknowledges receipt of claim/encounter
STATUS_ACCEPTED = "20"  # Accepted for processing
STATUS_MISSING_OR_INVALID = "21"  # Missing or invalid information
ACTION_ACCEPT, ACTION_REJECT = "WQ", "U"  # STC03 (element 306): accept / reject

MISSING_RULES = frozenset({"X12-REQ-SEG", "X12-REQ-ELEM"})

# STC01-3 entity identifier (element 98) by the loop a finding points at. Only loops that mean
# the same in the 837P and the 837I guides (their 2310x loops differ); elsewhere it is left out.
ENTITY_BY_LOOP = {
    "1000A": "41",  # Submitter
    "1000B": "40",  # Receiver
    "2010AA": "85",  # Billing Provider
    "2010AB": "87",  # Pay-to Provider
}
