"""Property: no mutation of a valid interchange makes the reader crash or lose count of a claim."""
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from scrubber.model import ClaimRecord, RunError
from scrubber.pipeline import ScrubOptions, run_scrub
from scrubber.readers import read_stream

FIX = ROOT / "fixtures" / "x12"
BASES = [
    (FIX / "837p-two-claims.837").read_bytes(),
    (FIX / "837i-inpatient.837").read_bytes(),
    (FIX / "837-several-interchanges.837").read_bytes(),
]


def segments_of(data: bytes) -> list[bytes]:
    return [s for s in data.split(b"~\n")]


segment_op = st.one_of(
    st.tuples(st.just("delete"), st.integers(0, 10_000)),
    st.tuples(st.just("duplicate"), st.integers(0, 10_000)),
    st.tuples(st.just("truncate"), st.integers(0, 10_000), st.integers(0, 120)),
    st.tuples(st.just("swap"), st.integers(0, 10_000)),
)
byte_op = st.one_of(
    st.tuples(st.just("garbage"), st.integers(0, 10_000), st.binary(min_size=1, max_size=12)),
    st.tuples(st.just("delimiter"), st.sampled_from([3, 104, 105, 82]), st.sampled_from(list(b"*:~^|\n A0\x00\xff"))),
    st.tuples(st.just("cut"), st.integers(0, 10_000)),
)


def apply_segment_ops(data: bytes, ops) -> bytes:
    segs = segments_of(data)
    for op in ops:
        i = op[1] % len(segs)
        if op[0] == "delete" and len(segs) > 1:
            del segs[i]
        elif op[0] == "duplicate":
            segs.insert(i, segs[i])
        elif op[0] == "truncate":
            segs[i] = segs[i][: op[2]]
        elif op[0] == "swap" and i + 1 < len(segs):
            segs[i], segs[i + 1] = segs[i + 1], segs[i]
    return b"~\n".join(segs)


def apply_byte_ops(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for op in ops:
        if op[0] == "garbage":
            i = op[1] % (len(buf) + 1)
            buf[i:i] = op[2]
        elif op[0] == "delimiter" and op[1] < len(buf):
            buf[op[1]] = op[2]
        elif op[0] == "cut":
            del buf[op[1] % (len(buf) + 1):]
    return bytes(buf)


def scrub(data: bytes):
    records = list(read_stream(io.BytesIO(data), "mutated.837"))
    result = run_scrub(ScrubOptions(paths=[]), records=iter(records))
    return records, result


def check_accounting(records, result):
    assert not [r for r in records if isinstance(r, RunError) and "internal reader error" in r.message]
    s = result.summary()
    assert s["claims_total"] == s["claims_clean"] + s["claims_flagged"] + s["claims_unreadable"]
    assert s["claims_total"] == sum(1 for r in records if isinstance(r, ClaimRecord))
    for r in records:
        if isinstance(r, ClaimRecord) and r.claim is None:
            assert r.error is not None and r.error.segment is not None


def clm_segments(data: bytes) -> int:
    return sum(1 for s in segments_of(data) if s.strip().split(b"*")[0] == b"CLM")


@settings(derandomize=True, max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from([0, 1]), ops=st.lists(segment_op, min_size=1, max_size=5))
def test_segment_mutations_keep_every_clm_accounted_for(base, ops):
    data = apply_segment_ops(BASES[base], ops)
    records, result = scrub(data)
    check_accounting(records, result)
    assert result.summary()["claims_total"] == clm_segments(data)


@settings(derandomize=True, max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(range(len(BASES))), ops=st.lists(st.one_of(segment_op, byte_op), min_size=1, max_size=5))
def test_byte_mutations_never_crash_the_scrub(base, ops):
    data = BASES[base]
    for op in ops:
        data = apply_segment_ops(data, [op]) if op[0] in ("delete", "duplicate", "truncate", "swap") else apply_byte_ops(data, [op])
    records, result = scrub(data)
    check_accounting(records, result)
