"""A streaming reader of 835 health care claim payment / advice files (005010X221A1).

It runs on the 837 reader's tokenizer (``scrubber.readers.x12.segments.SegmentStream``), so
delimiters, line breaks, BOMs, several interchanges per file and truncated files are handled
the same way, and segment numbers mean the same thing in both. The file is read one segment
at a time; a claim payment is yielded as soon as the next CLP, LX, PLB or SE closes it.

What is read (loops of the implementation guide):

* header: ``BPR`` (BPR16 payment date), ``TRN`` (TRN02 trace number, TRN03 originator),
  1000A ``N1*PR`` payer (N102 name, N104 id) with ``REF*2U`` payer id, 1000B ``N1*PE``
  payee (N102 name, N104 id: an NPI when N103 = XX);
* 2100 ``CLP`` (CLP01 claim id = the 837's CLM01, CLP02 status, CLP03 charge, CLP04 paid,
  CLP05 patient responsibility, CLP06 filing indicator, CLP07 payer claim control number,
  CLP08 facility code, CLP09 frequency), claim ``CAS``, ``NM1*82`` rendering provider,
  ``MIA`` / ``MOA`` remark codes, claim ``DTM``;
* 2110 ``SVC`` (SVC01 procedure composite, SVC02 charge, SVC03 paid, SVC04 revenue code,
  SVC05 units, SVC06 procedure as submitted), its ``DTM`` (472 / 150 / 151), ``CAS``,
  ``REF*6R`` line item control number and ``LQ*HE`` remark codes.

A ``CAS`` holds a group code and up to six (CARC, amount, quantity) triplets. Nothing is
dropped silently: a CLP that cannot be read is still yielded with ``error`` set; a broken
segment inside a claim is skipped, listed in the claim's ``problems`` and reported as a
``RunError`` with its segment number. 004010X091A1 files have the same segments and are read
the same way.
"""
from __future__ import annotations

import gzip
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, Iterable, Iterator, Optional, Union

from scrubber.model import RunError
from scrubber.readers.remit.model import Adjustment, ClaimPayment, ServicePayment
from scrubber.readers.x12.segments import SegmentStream

CHUNK_BYTES = 1 << 20
GROUP_CODES = frozenset({"CO", "PR", "OA", "PI", "CR"})
MAX_CAS_TRIPLETS = 6
MIA_REMARKS = (5, 20, 21, 22, 23)
MOA_REMARKS = (3, 4, 5, 6, 7)

Record = Union[ClaimPayment, RunError]


class _BadValue(ValueError):
    pass


def _money(text: str, what: str) -> Optional[Decimal]:
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _BadValue(f"{what} {text!r} is not an amount") from None
    if not value.is_finite():
        raise _BadValue(f"{what} {text!r} is not an amount")
    return value


def _d8(text: str, what: str) -> date:
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _BadValue(f"{what} {text!r} is not a CCYYMMDD date") from None


def _el(parts: list[str], i: int) -> str:
    return parts[i].strip() if i < len(parts) else ""


class _Service:
    """A 2110 loop being read."""

    def __init__(self, fields: dict, segment: int):
        self.fields = fields
        self.segment = segment
        self.adjustments: list[Adjustment] = []
        self.remarks: list[str] = []

    def build(self) -> ServicePayment:
        return ServicePayment(adjustments=tuple(self.adjustments), remarks=tuple(self.remarks), segment=self.segment,
                              **self.fields)


class _Claim:
    """A 2100 loop being read."""

    def __init__(self, fields: dict, segment: int, error: Optional[str]):
        self.fields = fields
        self.segment = segment
        self.error = error
        self.adjustments: list[Adjustment] = []
        self.services: list[_Service] = []
        self.remarks: list[str] = []
        self.dates: list[tuple[str, date]] = []
        self.problems: list[str] = []
        self.rendering_npi: Optional[str] = None

    def build(self, header: dict, path: str) -> ClaimPayment:
        f = self.fields
        return ClaimPayment(
            claim_id=f.get("claim_id", ""), status=f.get("status", ""), charge=f.get("charge"), paid=f.get("paid"),
            patient_responsibility=f.get("patient_responsibility"), filing_indicator=f.get("filing_indicator"),
            payer_control_number=f.get("payer_control_number"), facility_code=f.get("facility_code"),
            frequency=f.get("frequency"), adjustments=tuple(self.adjustments),
            services=tuple(s.build() for s in self.services), remarks=tuple(self.remarks), dates=tuple(self.dates),
            rendering_npi=self.rendering_npi, path=path, segment=self.segment, error=self.error,
            problems=tuple(self.problems), **header)


def _clp(parts: list[str]) -> tuple[dict, Optional[str]]:
    fields: dict = {"claim_id": _el(parts, 1), "status": _el(parts, 2), "filing_indicator": _el(parts, 6) or None,
                    "payer_control_number": _el(parts, 7) or None, "facility_code": _el(parts, 8) or None,
                    "frequency": _el(parts, 9) or None}
    problems = []
    if not fields["claim_id"]:
        problems.append("CLP01 (the claim id) is empty")
    if not fields["status"]:
        problems.append("CLP02 (the claim status) is empty")
    for key, i, what in (("charge", 3, "CLP03 charge"), ("paid", 4, "CLP04 paid amount"),
                         ("patient_responsibility", 5, "CLP05 patient responsibility")):
        try:
            fields[key] = _money(_el(parts, i), what)
        except _BadValue as exc:
            fields[key] = None
            problems.append(str(exc))
    if fields.get("charge") is None and not problems:
        problems.append("CLP03 charge is empty")
    return fields, ("; ".join(problems) or None)


def _cas(parts: list[str], number: int) -> tuple[list[Adjustment], list[str]]:
    group = _el(parts, 1)
    out: list[Adjustment] = []
    problems: list[str] = []
    if group not in GROUP_CODES:
        problems.append(f"CAS01 group code {group!r} is not CO, PR, OA, PI or CR")
    n = len(parts)
    for base in range(2, min(n, 2 + 3 * MAX_CAS_TRIPLETS), 3):
        carc = parts[base].strip()
        amount = parts[base + 1].strip() if base + 1 < n else ""
        qty = parts[base + 2].strip() if base + 2 < n else ""
        if not (carc or amount or qty):
            continue
        try:
            if not carc:
                raise _BadValue(f"CAS{base:02d} has an amount but no adjustment reason code")
            value = _money(amount, f"CAS{base + 1:02d} amount")
            if value is None:
                raise _BadValue(f"CAS{base + 1:02d} amount for reason {carc} is empty")
            out.append(Adjustment(group or "?", carc, value, _money(qty, f"CAS{base + 2:02d} quantity"), number))
        except _BadValue as exc:
            problems.append(str(exc))
    if len(parts) > 2 + 3 * MAX_CAS_TRIPLETS:
        problems.append(f"CAS has more than {MAX_CAS_TRIPLETS} triplets; the rest was not read")
    return out, problems


def _svc(parts: list[str], comp: str) -> tuple[dict, list[str]]:
    """SVC fields, and problems: an amount that cannot be read is None (the line and its CAS are kept)."""
    proc = _el(parts, 6) or _el(parts, 1)  # SVC06: the procedure as submitted, when the payer changed it
    c = [x.strip() for x in proc.split(comp)]
    qualifier = c[0] if c else ""
    code = c[1] if len(c) > 1 else ""
    fields = {"qualifier": qualifier or None, "code": code or None, "modifiers": tuple(m for m in c[2:6] if m),
              "revenue_code": _el(parts, 4) or (code if qualifier == "NU" else None)}
    problems = []
    for key, i, what in (("charge", 2, "SVC02 charge"), ("paid", 3, "SVC03 paid amount"), ("units", 5, "SVC05 units")):
        try:
            fields[key] = _money(_el(parts, i), what)
        except _BadValue as exc:
            fields[key] = None
            problems.append(str(exc))
    return fields, problems


def read_835(chunks: Iterable[bytes], path: str) -> Iterator[Record]:
    """Claim payments and problems of one 835 file, in file order."""
    stream = SegmentStream(chunks)
    header: dict = {}
    claim: Optional[_Claim] = None
    service: Optional[_Service] = None
    in_835 = False
    loop = ""  # 1000A / 1000B / 2100
    reported = 0
    stray_reported = False

    def problem(message: str, number: int) -> RunError:
        if claim is not None:
            claim.problems.append(f"segment {number}: {message}")
        return RunError("remit-segment", message, path, number)

    def close() -> Optional[ClaimPayment]:
        nonlocal claim, service
        if claim is None:
            return None
        out = claim.build(header, path)
        claim, service = None, None
        return out

    for text in stream:
        number = stream.count
        if len(stream.problems) != reported:
            for rule, message, seg in stream.problems[reported:]:
                yield RunError("structure", f"{rule}: {message}", path, seg)
            reported = len(stream.problems)
        delims = stream.delimiters
        parts = text.split(delims.element if delims else "*")
        sid = parts[0].strip()
        if sid and not sid[0].isalnum():
            # A stray terminator before the id ("\n~GS|..."): the ISA declared a line break as the
            # terminator but the segments also end in another character. Read on, say so once.
            stray = sid[0]
            sid = sid.lstrip(stray).strip()
            parts[0] = sid
            if not stray_reported:
                stray_reported = True
                yield RunError("structure", f"X12-TERMINATOR: segments start with {stray!r} after the declared "
                               f"terminator {getattr(delims, 'terminator', '')!r}; {stray!r} was ignored", path, number)
        if sid == "ST":
            if claim is not None:
                yield close()
            in_835 = _el(parts, 1) == "835"
            header, loop = {}, ""
            if not in_835:
                yield RunError("unsupported", f"transaction ST01 {_el(parts, 1)!r} is not an 835 remittance; skipped", path, number)
            continue
        if not in_835:
            continue
        try:
            if sid in ("SE", "PLB", "LX"):
                if claim is not None:
                    yield close()
                if sid == "SE":
                    in_835 = False
            elif sid == "BPR":
                d = _el(parts, 16)
                header["payment_date"] = _d8(d, "BPR16 payment date") if d else None
            elif sid == "TRN":
                header["trace_number"] = _el(parts, 2) or None
                header.setdefault("payer_id", _el(parts, 3) or None)
            elif sid == "N1" and claim is None:
                role = _el(parts, 1)
                if role == "PR":
                    loop = "1000A"
                    header["payer_name"] = _el(parts, 2) or None
                    if _el(parts, 4):
                        header["payer_id"] = _el(parts, 4)
                elif role == "PE":
                    loop = "1000B"
                    header["payee_name"] = _el(parts, 2) or None
                    header["payee_id"] = _el(parts, 4) or None
            elif sid == "REF" and claim is None:
                if loop == "1000A" and _el(parts, 1) == "2U" and _el(parts, 2):
                    header["payer_id"] = _el(parts, 2)
            elif sid == "CLP":
                if claim is not None:
                    yield close()
                fields, error = _clp(parts)
                claim = _Claim(fields, number, None if error is None else f"segment {number}: {error}")
                loop = "2100"
                if error:
                    yield RunError("unreadable-remit-claim", f"CLP {fields['claim_id'] or '(no id)'}: {error}", path, number)
            elif claim is None:
                if sid in ("CAS", "SVC", "MIA", "MOA"):
                    yield problem(f"{sid} outside a claim payment (no CLP before it); skipped", number)
            elif sid == "CAS":
                adjustments, problems = _cas(parts, number)
                (service.adjustments if service is not None else claim.adjustments).extend(adjustments)
                for message in problems:
                    yield problem(message, number)
            elif sid == "SVC":
                fields, problems = _svc(parts, delims.component if delims else ":")
                service = _Service(fields, number)
                claim.services.append(service)
                for message in problems:
                    yield problem(f"SVC: {message}; the line and its adjustments are kept without it", number)
            elif sid == "DTM":
                q, d = _el(parts, 1), _el(parts, 2)
                if service is not None:
                    if q in ("472", "150"):
                        service.fields["date_from"] = _d8(d, f"DTM*{q} service date")
                    elif q == "151":
                        service.fields["date_to"] = _d8(d, "DTM*151 service end date")
                elif q:
                    claim.dates.append((q, _d8(d, f"DTM*{q} date")))
            elif sid == "REF" and service is not None and _el(parts, 1) == "6R":
                service.fields["control_number"] = _el(parts, 2) or None
            elif sid == "LQ" and service is not None and _el(parts, 1) == "HE" and _el(parts, 2):
                service.remarks.append(_el(parts, 2))
            elif sid == "NM1" and service is None and _el(parts, 1) == "82" and _el(parts, 8) == "XX":
                claim.rendering_npi = _el(parts, 9) or None
            elif sid in ("MIA", "MOA"):
                for i in (MIA_REMARKS if sid == "MIA" else MOA_REMARKS):
                    if _el(parts, i):
                        claim.remarks.append(_el(parts, i))
        except _BadValue as exc:
            yield problem(f"{sid}: {exc}; segment skipped", number)
    if claim is not None:
        yield close()
    for rule, message, seg in stream.problems[reported:]:
        yield RunError("structure", f"{rule}: {message}", path, seg)


def _chunks(f: BinaryIO, path: str, errors: list[str]) -> Iterator[bytes]:
    while True:
        try:
            block = f.read(CHUNK_BYTES)
        except (OSError, EOFError) as exc:
            errors.append(str(exc) or type(exc).__name__)
            return
        if not block:
            return
        yield block


def read_remit_file(path: str) -> Iterator[Record]:
    """Claim payments of one 835 file (gzip read transparently); an unreadable file is one RunError."""
    try:
        raw = open(path, "rb")
    except OSError as exc:
        yield RunError("unreadable-file", f"cannot open the remittance file: {exc.strerror or exc}", path, None)
        return
    with raw:
        f: BinaryIO = raw
        if raw.read(2) == b"\x1f\x8b":
            raw.seek(0)
            f = gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[assignment]
        else:
            raw.seek(0)
        errors: list[str] = []
        count = payments = 0
        try:
            for rec in read_835(_chunks(f, path, errors), path):
                count += 1
                payments += isinstance(rec, ClaimPayment)
                yield rec
        except Exception as exc:  # noqa: BLE001 - a reader bug ends this file loudly, never the batch
            yield RunError("unreadable-file", f"internal 835 reader error after {count} records "
                           f"({type(exc).__name__}: {exc}); the rest of the file was not read", path, None)
        if payments == 0 and not errors:
            yield RunError("unreadable-file", "no 835 claim payment (CLP) found in the file", path, None)
        for message in errors:
            yield RunError("unreadable-file", f"reading stopped early: {message}", path, None)
