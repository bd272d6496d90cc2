"""The 999 Implementation Acknowledgment (005010X231A1) of a scrub, from its RunResult.

One 999 interchange answers each acknowledged 837 interchange; inside it, one 999 transaction
set per acknowledged functional group (AK1), one AK2 per 837 transaction set, an IK3 (and IK4)
per structure finding (X12-* rules; ``ack_codes.SEGMENT_CODES``), a CTX naming the claim (CLM01)
when the segment is in a claim's own loops, IK5 per transaction set (A accepted, E accepted with
only warnings, R rejected) and AK9 per group. A 999 is about syntax and the implementation
guide (WEDI SNIP 1-2): coding and payer findings are the 277CA's business, not the 999's.
Unreadable claims reject their transaction set (an IK3 at their CLM): never left out.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Optional, TextIO

from scrubber.writers import ack_codes as codes
from scrubber.writers.ack_x12 import COMPONENT, AckStamp, Group, Interchange, SegmentCounter, Transaction, clean, group_claims, wrap

VERSION = "005010X231A1"
_LAST = re.compile(r"^([A-Z][A-Z0-9]{1,2})(?:\[\d+\])?(\d{2})?(?:-(\d+))?$")
_LOOP = re.compile(r"^(\d{4}[A-Z]{0,2})(?:\[\d+\])?$")
# Loops of the claim itself: an error there is identified by the claim's CLM01 (CTX).
_CLAIM_LOOPS = ("2300", "23", "24")


@dataclass(frozen=True)
class Location:
    loop: Optional[str]
    segment_id: Optional[str]
    element: Optional[int]
    component: Optional[int]


def parse_location(path: Optional[str]) -> Location:
    """``2400[2]/SV101-2`` -> loop 2400, SV1, element 1, component 2 (see readers/x12/rules.py)."""
    if not path:
        return Location(None, None, None, None)
    parts = path.split("/")
    loop = None
    for part in parts[:-1]:
        m = _LOOP.match(part)
        if m:
            loop = m.group(1)
    last = parts[-1]
    m = _LOOP.match(last)
    if m:
        return Location(m.group(1), None, None, None)
    m = _LAST.match(last)
    if not m:
        return Location(loop, None, None, None)
    sid, el, comp = m.group(1), m.group(2), m.group(3)  # SV1, NM1: the regex keeps 3-character ids whole
    return Location(loop, sid, int(el) if el else None, int(comp) if comp else None)


@dataclass
class _IK3:
    segment_id: str
    position: int
    loop: Optional[str]
    code: str
    claim_id: Optional[str] = None
    ik4: list = field(default_factory=list)  # (element, component, ref, code, bad value)


@dataclass
class _TxAck:
    status: str
    ik3: list
    codes: list


def _segment_texts(claims) -> dict[int, str]:
    out: dict[int, str] = {}
    for c in claims:
        for no, text in c.segments or ():
            out.setdefault(no, text)
    return out


def _bad_value(text: Optional[str], sid: str, element: int, component: Optional[int]) -> Optional[str]:
    """The element's value from the segment's own text (kept only for cited claim segments)."""
    if not text or len(text) <= len(sid):
        return None
    sep = text[len(sid)]
    els = text.split(sep)
    if element >= len(els):
        return None
    value = els[element]
    if component:
        comps = [c for c in value.split(":")] if ":" in value else [value]
        value = comps[component - 1] if component <= len(comps) else ""
    return value or None


def acknowledge_transaction(tx: Transaction) -> _TxAck:
    """IK3/IK4 entries, IK5 status and codes of one transaction set."""
    st = tx.st_segment
    texts = _segment_texts(tx.claims)
    seen: set = set()
    by_key: dict[tuple, _IK3] = {}
    tx_codes: list[str] = []
    rejected = warned = False
    for c in tx.claims:
        if c.status == "unreadable":
            rejected = True
            code = codes.UNREADABLE_NO_CLAIM_ID if (c.error or "").find("CLM01") >= 0 else codes.UNREADABLE_CLAIM
            pos = c.source_segment - st + 1 if st and c.source_segment and c.source_segment >= st else None
            if pos is not None:
                entry = by_key.setdefault((pos, "CLM", code.ik304), _IK3("CLM", pos, "2300", code.ik304,
                                          None if c.claim_id.startswith("<") else c.claim_id))
                if code.ik403:
                    entry.ik4.append((1, None, codes.element_ref("CLM", 1, None), code.ik403, None))
        for f in c.findings:
            if f.category != "structure" or not f.rule_id.startswith("X12-"):
                continue
            key = (f.rule_id, f.location_segment, f.location_path)
            if key in seen:
                continue
            seen.add(key)
            if f.severity == "error":
                rejected = True
            else:
                warned = True
            if f.rule_id in codes.TRANSACTION_CODES:
                code = codes.TRANSACTION_CODES[f.rule_id]
                if code not in tx_codes:
                    tx_codes.append(code)
                continue
            seg_code = codes.SEGMENT_CODES.get(f.rule_id)
            if seg_code is None:
                continue
            loc = parse_location(f.location_path)
            sid = loc.segment_id
            text = texts.get(f.location_segment or 0)
            if sid is None and text:
                sid = re.split(r"[^A-Z0-9]", text, maxsplit=1)[0] or None
            if sid is None or not st or not f.location_segment or f.location_segment < st:
                continue  # no position to name: IK5 still says the transaction has errors
            pos = f.location_segment - st + 1
            in_claim = loc.loop is not None and loc.loop.startswith(_CLAIM_LOOPS)
            entry = by_key.setdefault((pos, sid, seg_code.ik304), _IK3(sid, pos, loc.loop, seg_code.ik304,
                                                                      c.claim_id if in_claim else None))
            if seg_code.ik403 and loc.element:
                bad = _bad_value(text, sid, loc.element, loc.component) if seg_code.ik403 != "1" else None
                entry.ik4.append((loc.element, loc.component, codes.element_ref(sid, loc.element, loc.component),
                                  seg_code.ik403, bad))
    ik3 = [by_key[k] for k in sorted(by_key, key=lambda k: (k[0], k[1], k[2]))]
    if ik3 and codes.SEGMENTS_IN_ERROR not in tx_codes and rejected:
        tx_codes.append(codes.SEGMENTS_IN_ERROR)
    elif rejected and not tx_codes:
        tx_codes.append(codes.SEGMENTS_IN_ERROR)
    status = "R" if rejected else ("E" if warned else "A")
    return _TxAck(status, ik3, tx_codes[:5])


def _group_set(seg: SegmentCounter, grp: Group) -> None:
    env = grp.envelope
    seg.add("AK1", clean(env.functional_id) or "HC", clean(env.group_control), clean(env.version))
    statuses = []
    for tx in grp.transactions:
        ack = acknowledge_transaction(tx)
        statuses.append(ack.status)
        te = tx.envelope
        seg.add("AK2", clean(te.transaction_type) or "837", clean(te.transaction_control), clean(te.implementation or te.version))
        for e in ack.ik3:
            # IK303 is element 447 (AN 1-4): the loop's number, "2010" for 2010BA, as payers send it.
            seg.add("IK3", e.segment_id, e.position, (e.loop or "")[:4], e.code)
            if e.claim_id:
                seg.add("CTX", f"CLM01{COMPONENT}{clean(e.claim_id, 35)}")
            for el, comp, ref, code, bad in e.ik4:
                seg.add("IK4", f"{el}{COMPONENT}{comp}" if comp else el, ref or "", code, clean(bad, 99) if bad else "")
        seg.add("IK5", ack.status, *ack.codes)
    accepted = sum(s in ("A", "E") for s in statuses)
    if grp.errors or accepted == 0:
        ak901 = "R"
    elif accepted < len(statuses):
        ak901 = "P"
    elif "E" in statuses:
        ak901 = "E"
    else:
        ak901 = "A"
    group_codes = []
    for rule in grp.errors:
        code = codes.GROUP_CODES[rule]
        if code not in group_codes:
            group_codes.append(code)
    # AK902 is GE01 as received; AK903 the transaction sets received (and acknowledged above).
    seg.add("AK9", ak901, grp.ge01 if grp.ge01 is not None else len(statuses), len(statuses), accepted, *group_codes[:5])


def write_999(claims: Iterable, errors: Iterable, out: TextIO, stamp: Optional[AckStamp] = None) -> dict:
    """Write the 999 of ``claims`` (ClaimResults, in file order) to ``out``; returns counts."""
    stamp = stamp or AckStamp()
    interchanges, other = group_claims(claims, errors)
    counts = {"interchanges": len(interchanges), "transactions": 0, "not_x12": len(other)}

    def sets(ich: Interchange, st_control):
        for grp in ich.groups:
            control = st_control()
            seg = SegmentCounter()
            seg.add("ST", "999", control, VERSION)
            _group_set(seg, grp)
            counts["transactions"] += len(grp.transactions)
            yield from seg.close(control)

    for text in wrap(stamp, interchanges, "FA", VERSION, sets):
        out.write(text + "\n")
    return counts
