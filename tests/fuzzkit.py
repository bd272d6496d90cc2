"""Mutations of real X12 files and the invariants every scrub of them must keep (tests/test_fuzz.py,
bench/fuzz.py).

A mutation is ``(name, function(data, rng) -> bytes)``; the seeds come from the fixtures and
../shared/corpus/x12 (the 837 files only). ``check_case`` scrubs one mutated file with a prepared
run (rules loaded once per process), splits it into clean and held 837s, and returns the list of
broken invariants (empty = fine): no exception escapes, exit code 0/1, the JSON validates against
the run-result schema and the shared contract checker, every CLM segment of the input is one claim
of the output (unreadable included), and the clean + held files hold every written claim once,
re-read with no structure error on the clean side.
"""
from __future__ import annotations

import io
import json
import random
import re
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional
from datadir import seeded

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
if str(SHARED / "tools") not in sys.path:
    sys.path.insert(0, str(SHARED / "tools"))


def seed_files() -> list[Path]:
    """The 837 fixtures and the 837 files of the shared corpus, in a fixed order."""
    out = sorted((ROOT / "fixtures" / "claims").glob("*.837"))
    corpus = SHARED / "corpus" / "x12"
    if corpus.is_dir():
        out += sorted(p for p in corpus.iterdir() if p.is_file() and ".837" in p.name or "837" in p.name.split("__")[-1][:8])
    return [p for p in out if p.is_file()]


def _delims(data: bytes) -> tuple[bytes, bytes]:
    """(element separator, segment terminator) of the first ISA, or the usual ones."""
    i = data.find(b"ISA")
    if i >= 0 and len(data) > i + 106:
        el = data[i + 3:i + 4]
        parts = data[i:i + 200].split(el)
        if len(parts) > 16 and parts[16][:1]:
            return el, parts[16][1:2] or b"~"
    return b"*", b"~"


def _segments(data: bytes) -> tuple[list[bytes], bytes, bytes]:
    el, term = _delims(data)
    segs = data.split(term)
    return segs, el, term


def _join(segs: list[bytes], term: bytes) -> bytes:
    return term.join(segs)


def byte_flip(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(b))
        b[i] = rng.randrange(256)
    return bytes(b)


def seg_delete(data: bytes, rng: random.Random) -> bytes:
    segs, _, term = _segments(data)
    if len(segs) > 2:
        del segs[rng.randrange(len(segs))]
    return _join(segs, term)


def seg_duplicate(data: bytes, rng: random.Random) -> bytes:
    segs, _, term = _segments(data)
    i = rng.randrange(len(segs))
    segs.insert(i, segs[i])
    return _join(segs, term)


def seg_swap(data: bytes, rng: random.Random) -> bytes:
    segs, _, term = _segments(data)
    if len(segs) > 2:
        i, j = rng.randrange(len(segs)), rng.randrange(len(segs))
        segs[i], segs[j] = segs[j], segs[i]
    return _join(segs, term)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(1, len(data))]


def delimiter_change(data: bytes, rng: random.Random) -> bytes:
    """Every element separator (or terminator) swapped for another legal delimiter character."""
    el, term = rng.delims  # the ones the file is written with (an earlier mutation may have moved ISA16)
    old = rng.choice([el, term])
    new = bytes([rng.choice(b"|^!}{\x1d\x1e\x1f")])
    if new in data:
        return data
    rng.delims = (new, term) if old == el else (el, new)
    return data.replace(old, new)


def nul_and_bad_utf8(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(b))
        b[i:i] = rng.choice([b"\x00", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\x00" * 40])
    return bytes(b)


def _retouch(data: bytes, rng: random.Random, sid: bytes, index: int, values: list[bytes]) -> bytes:
    segs, el, term = _segments(data)
    hits = [k for k, s in enumerate(segs) if s.lstrip().startswith(sid + el)]
    if not hits:
        return data
    k = rng.choice(hits)
    parts = segs[k].split(el)
    while len(parts) <= index:
        parts.append(b"")
    parts[index] = rng.choice(values)
    segs[k] = el.join(parts)
    return _join(segs, term)


def wrong_counts(data: bytes, rng: random.Random) -> bytes:
    sid, idx = rng.choice([(b"SE", 1), (b"GE", 1), (b"IEA", 1), (b"SE", 2), (b"GE", 2), (b"IEA", 2)])
    return _retouch(data, rng, sid, idx, [b"0", b"1", b"99999", b"-3", b"", b"X"])


def hl_parents(data: bytes, rng: random.Random) -> bytes:
    """Cyclic or orphan HL parents: HL02 pointing at itself, a later HL, or nothing that exists."""
    return _retouch(data, rng, b"HL", 2, [b"1", b"2", b"3", b"999", b"0", b"", b"-1"])


def huge_amount(data: bytes, rng: random.Random) -> bytes:
    sid, idx = rng.choice([(b"CLM", 2), (b"SV1", 2), (b"SV2", 3)])
    return _retouch(data, rng, sid, idx, [b"9" * 40, b"1E999", b"-0.01", b"99999999999999.99", b"NaN", b"1" + b"0" * 400])


def negative_units(data: bytes, rng: random.Random) -> bytes:
    sid, idx = rng.choice([(b"SV1", 4), (b"SV2", 5)])
    return _retouch(data, rng, sid, idx, [b"-1", b"-999999", b"0", b"1E9", b"-0"])


def impossible_date(data: bytes, rng: random.Random) -> bytes:
    return _retouch(data, rng, b"DTP", 3, [b"20250230", b"20251301", b"00000000", b"99991231", b"2025-01-01",
                                            b"20250101-20241231", b"1"])


MUTATIONS: list[tuple[str, Callable[[bytes, random.Random], bytes]]] = [
    ("byte-flip", byte_flip), ("segment-delete", seg_delete), ("segment-duplicate", seg_duplicate),
    ("segment-swap", seg_swap), ("truncate", truncate), ("delimiter-change", delimiter_change),
    ("nul-invalid-utf8", nul_and_bad_utf8), ("wrong-counts", wrong_counts), ("hl-parents", hl_parents),
    ("huge-amount", huge_amount), ("negative-units", negative_units), ("impossible-date", impossible_date),
]


@dataclass
class Case:
    data: bytes
    names: list
    delims: tuple  # (element separator, segment terminator) the mutated file is written with
    expected: Optional[int] = None  # CLM segments, when not counted from data (a batch of pieces)


def mutate(data: bytes, seed: int, rounds: int = 1) -> Case:
    """``rounds`` mutations of ``data`` chosen by ``seed`` (deterministic)."""
    rng = random.Random(seed)
    rng.delims = _delims(data)
    names = []
    for _ in range(rounds):
        name, func = rng.choice(MUTATIONS)
        if data:
            data = func(data, rng)
        names.append(name)
    return Case(data, names, rng.delims)


def batch(blobs: list[bytes], first: int, size: int, rounds: int = 3) -> Case:
    """Pieces ``first`` .. ``first + size - 1`` concatenated into one file, piece j the mutation
    ``mutate(blobs[j % len(blobs)], j, 1 + j % rounds)`` (the same file single case j is), each
    ended by its own segment terminator and a line break, as batches made by joining files are.
    Every claim of the batch comes from a mutated file; the expected claims are each piece's CLM
    segments, counted piece by piece with the delimiters it is written with."""
    data, names, expected = [], [], 0
    for j in range(first, first + size):
        piece = mutate(blobs[j % len(blobs)], j, 1 + j % rounds)
        term = piece.delims[1]
        body = piece.data if piece.data.rstrip(b" \t\r\n").endswith(term) else piece.data + term
        data.append(body + b"\n")
        names.append(f"{j}:{'+'.join(piece.names)}")
        expected += clm_segments(body, piece.delims)
    return Case(b"".join(data), names, _delims(data[0]) if data else (b"*", b"~"), expected)


def clm_segments(data: bytes, delims: tuple) -> int:
    """CLM segments in ``data`` split with the delimiters it was written with: every one must be a claim
    of the output (read or unreadable)."""
    from scrubber.readers.x12.segments import DelimiterError, delimiters_from_isa

    el, term = delims
    try:  # the delimiters the mutated ISA itself declares, read as the reader reads them
        text = data.lstrip(b" \t\r\n\x00\x1a")
        d = delimiters_from_isa(text[:1024].decode("latin-1"))
        declared = d.terminator.encode("latin-1")
        # ... unless the declared terminator never occurs after the ISA (a flipped ISA16 + 1): the
        # reader then reads with the delimiters the file is written with, as this count does
        body = text[110:4096].split(b"ISA", 1)[0]
        if declared in body or declared in b"\r\n" or len(body) < 64:
            el, term = d.element.encode("latin-1"), declared
    except DelimiterError:
        pass  # the reader then guesses them from the GS / ST segments: the ones the file was written with
    pattern = re.compile(rb"(?:^|" + re.escape(term) + rb")[\s\x00\x1a]*CLM(?:" + re.escape(el) + rb"|" + re.escape(term) + rb"|$)")
    return len(pattern.findall(data))


BYTES_ONLY = "CLM segment found in the file's bytes"  # the reader's end-of-file accounting records


@dataclass
class Outcome:
    claims: int = 0
    problems: list[str] = field(default_factory=list)
    crashed: bool = False
    extras: int = 0  # claims over the count above, all from the byte count (CLM starts it does not see)


class Harness:
    """One prepared run (rules, refdata) reused for many cases; ``check`` scrubs one file."""

    def __init__(self, data_dir: Optional[str] = None):
        from scrubber.cli.scrub_cmd import prepare

        self._tmp = tempfile.TemporaryDirectory(prefix="claimscrub-fuzz-")
        self.dir = Path(self._tmp.name)
        if data_dir is None:
            data_dir = self.dir / "data"
            try:
                seeded(data_dir)  # under pytest: a copy of the session's built-in store
            except RuntimeError:
                data_dir.mkdir()  # bench/fuzz.py, outside pytest: the first look-up builds it, once
        self.prepared = prepare(data_dir=str(data_dir))
        schema_path = ROOT / "scrubber" / "schemas" / "run_result.schema.json"
        import jsonschema

        self.validator = jsonschema.Draft202012Validator(json.loads(schema_path.read_text()))

    def close(self) -> None:
        self.prepared.close()
        self._tmp.cleanup()

    def _scrub(self, path: Path, clean: Optional[Path] = None, held: Optional[Path] = None):
        from scrubber.cli.scrub_cmd import exit_code_for
        from scrubber.pipeline import run_scrub
        from scrubber.report import render
        from scrubber.writers.x12_split import SplitWriter

        splitter = SplitWriter(str(clean), str(held), "error") if clean else None
        result = run_scrub(self.prepared.options([str(path)], on_claim=splitter.add if splitter else None))
        summary = splitter.close() if splitter else None
        out = io.StringIO()
        render(result, "json", out)
        return result, json.loads(out.getvalue()), exit_code_for(result, "error"), summary

    def check(self, case: Case, name: str = "case") -> Outcome:
        from check_run_result import check as contract_check

        o = Outcome()
        src, clean, held = self.dir / f"{name}.837", self.dir / f"{name}.clean.837", self.dir / f"{name}.held.837"
        src.write_bytes(case.data)
        try:
            expected = case.expected if case.expected is not None else clm_segments(case.data, case.delims)
            result, doc, code, split = self._scrub(src, clean, held)
            o.claims = len(doc["claims"])
            if code not in (0, 1, 3):  # 3: an input that could not be (wholly) read, documented (exitcodes.INPUT)
                o.problems.append(f"exit code {code}")
            errs = sorted(self.validator.iter_errors(doc), key=str)
            if errs:
                o.problems.append(f"schema: {errs[0].message[:200]}")
            bad = contract_check(doc)
            if bad:
                o.problems.append(f"contract: {bad[0]}")
            # The reader's end-of-file accounting counts CLM starts in the raw bytes and errs high (a
            # damaged CLM the segment split does not see as one, e.g. ``~\xa6CLM*``): its records may
            # exceed this count, never make up for more than they are; they are counted apart.
            extra = sum(1 for c in doc["claims"] if BYTES_ONLY in (c.get("error") or ""))
            n = len(doc["claims"])
            if n < expected or n - extra > expected:
                o.problems.append(f"lost/duplicated: {expected} CLM segments, {n} claims")
            elif n > expected:
                o.extras = n - expected
            written = split.clean_claims + split.held_claims + len(split.set_aside)
            if written != len(doc["claims"]):
                o.problems.append(f"split: {written} claims routed for {len(doc['claims'])} read")
            for side, path, n in (("clean", clean, split.clean_claims), ("held", held, split.held_claims)):
                if n == 0 and path.stat().st_size == 0:
                    continue  # nothing to write: no envelope either (an 837 holds at least one claim)
                _, again, _, _ = self._scrub(path)
                back = len(again["claims"])
                back_extra = sum(1 for c in again["claims"] if BYTES_ONLY in (c.get("error") or ""))
                if back_extra and back - back_extra <= n < back:
                    o.extras += back - n  # a damaged CLM copied into the file, counted by its bytes on re-reading
                elif back != n:
                    o.problems.append(f"{side} file: {n} claims written, {len(again['claims'])} read back")
                if side == "clean":
                    broken = [f["rule_id"] for c in again["claims"] for f in c["findings"]
                              if f["category"] == "structure" and f["severity"] == "error"]
                    broken += [e["message"][:60] for e in again["errors"] if e["kind"] in ("structure", "unreadable-file")]
                    if broken or any(c["status"] == "unreadable" for c in again["claims"]):
                        o.problems.append(f"clean file is not valid 837: {broken[:3]}")
        except Exception:  # noqa: BLE001 - the point of the harness
            o.crashed = True
            o.problems.append("exception: " + traceback.format_exc(limit=3).strip().splitlines()[-1][:200])
        return o
