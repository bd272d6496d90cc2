#!/usr/bin/env python3
"""835 reader and denial correlation benchmark: CLPs/s beside a bare segment split, in the same run.

    python bench/bench_remits.py                 # 20,000 made-up CLPs, 3 lines each
    python bench/bench_remits.py --clps 50000

The floor is the shared tokenizer alone (``SegmentStream`` over the same bytes, each segment
split into elements): what the 835 reader must at least do. Reported: the reader's time as a
ratio of that floor, and the correlation of the same CLPs against made-up claim keys. Every
payer, claim id and amount here is made up; CARCs are real codes.
"""
from __future__ import annotations

import argparse
import time
from datetime import date
from decimal import Decimal

from scrubber.denials.claims import ClaimKey, FindingKey, LineKey
from scrubber.denials.figures import correlate
from scrubber.denials.mapping import load_map
from scrubber.readers.remit import ClaimPayment, read_835
from scrubber.readers.x12.segments import SegmentStream

CARCS = ("16", "97", "4", "18", "29", "45")


def made_up_835(n: int) -> bytes:
    segs = ["ISA*00*          *00*          *ZZ*MADEUPPAYER    *ZZ*MADEUPCLINIC   *250401*1200*^*00501*000000001*0*T*:",
            "GS*HP*MADEUPPAYER*MADEUPCLINIC*20250401*1200*1*X*005010X221A1", "ST*835*0001*005010X221A1",
            "BPR*I*0*C*CHK************20250401", "TRN*1*MADE-UP*1MADEUP", "N1*PR*MADE-UP PLAN", "REF*2U*MADEUP01",
            "N1*PE*MADE-UP CLINIC*XX*1234567893", "LX*1"]
    for i in range(n):
        segs.append(f"CLP*MADE-UP-{i}*1*300.00*240.00*0*12*MADE-UP-PCN-{i}*11*1")
        for ln, code in enumerate(("99213", "36415", "83036"), 1):
            segs += [f"SVC*HC:{code}*100.00*80.00", "DTM*472*20250224", f"CAS*CO*{CARCS[(i + ln) % len(CARCS)]}*20.00",
                     f"REF*6R*MADE-UP-{i}-{ln}"]
    segs += [f"SE*{len(segs) - 1}*0001", "GE*1*1", "IEA*1*000000001"]
    return ("~\n".join(segs) + "~\n").encode()


def chunks(data: bytes, size: int = 1 << 20):
    for i in range(0, len(data), size):
        yield data[i:i + size]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--clps", type=int, default=20000)
    args = ap.parse_args()
    data = made_up_835(args.clps)
    t0 = time.perf_counter()
    stream = SegmentStream(chunks(data))
    n_segs = sum(1 for text in stream if text.split("*"))
    floor = time.perf_counter() - t0
    t0 = time.perf_counter()
    payments = [r for r in read_835(chunks(data), "bench.835") if isinstance(r, ClaimPayment)]
    reader = time.perf_counter() - t0
    assert len(payments) == args.clps
    keys = [ClaimKey(f"MADE-UP-{i}", True, Decimal("300.00"), "MADE-UP PLAN",
                     tuple(LineKey(ln, code, (), date(2025, 2, 24), f"MADE-UP-{i}-{ln}", Decimal("100.00"))
                           for ln, code in enumerate(("99213", "36415", "83036"), 1)),
                     (FindingKey("INT-DXPTR-001", "data-integrity", "error", 1),) if i % 3 == 0 else ())
            for i in range(args.clps)]
    t0 = time.perf_counter()
    d = correlate(keys, payments, load_map())
    corr = time.perf_counter() - t0
    assert d["totals"]["caught_amount"] + d["totals"]["not_caught_amount"] == d["totals"]["denied_amount"]
    mb = len(data) / 1e6
    print(f"{args.clps:,} CLPs, {n_segs:,} segments, {mb:.1f} MB")
    print(f"tokenizer floor   {floor:6.2f} s  {args.clps / floor:10,.0f} CLPs/s")
    print(f"835 reader        {reader:6.2f} s  {args.clps / reader:10,.0f} CLPs/s  {reader / floor:.2f}x the floor")
    print(f"correlation       {corr:6.2f} s  {args.clps / corr:10,.0f} CLPs/s  {corr / floor:.2f}x the floor")


if __name__ == "__main__":
    main()
