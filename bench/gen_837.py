#!/usr/bin/env python3
"""Synthetic, valid 837P / 837I batches for benchmarks and round-trip tests.

    python bench/gen_837.py 10000 --kind 837P -o batch.837
    from bench.gen_837 import generate; data = generate(1000, seed=1, kind="837I")

Everything about the people, providers and payers is MADE UP (claim ids ``MADE-UP-...``,
payers ``MADE-UP HEALTH PLAN ...``); the codes are real: ICD-10-CM billable codes
(tests/test_reader_bench_tools.py checks each against the simple-icd-10-cm code set),
CPT / HCPCS Level II code numbers, NUBC revenue codes, CMS place-of-service codes,
NUCC taxonomy codes, and NPIs with valid check digits (Luhn over the 80840 prefix).
A mix per claim: 1-12 diagnoses, 1-6 service lines (about 3 on average), modifiers,
several billing and rendering providers, several payers; a patient who is not the
subscriber on about one claim in six. Deterministic for a given seed.
"""
from __future__ import annotations

import argparse
import random
import sys
from datetime import date, timedelta

# Real ICD-10-CM billable codes, without the dot.
ICD10CM = (
    "E119 E1165 E1122 E785 E782 E039 E669 E6601 E559 I10 I2510 I480 I5022 J069 J029 J209 J189 J449 J45909 "
    "J302 J0190 K219 K5900 K5730 M5416 M25561 M25562 M1711 M1712 M79604 M7918 N390 R0789 "
    "R109 R197 R5383 R739 Z0000 Z0001 Z23 Z1231 Z79899 Z794 F329 F419 F17210 G4733 G43909 H1013 "
    "L309 L03116 N400 S93401A S0990XA S6390XA T148XXA B349 D649 D509"
).split()
# tests/test_reader_bench_tools.py fails if any of these is not billable in simple-icd-10-cm.

# (code, charge range, modifiers that may go with it): CPT and HCPCS Level II code numbers.
PROFESSIONAL = (
    ("99213", (90, 160), ("25",)), ("99214", (130, 220), ("25",)), ("99203", (110, 190), ()),
    ("99204", (170, 280), ()), ("99212", (60, 110), ()), ("99396", (180, 260), ()),
    ("36415", (8, 25), ()), ("85025", (12, 40), ()), ("80053", (20, 60), ()), ("80061", (25, 70), ()),
    ("83036", (15, 45), ()), ("84443", (25, 60), ()), ("81002", (5, 15), ()), ("87880", (15, 40), ("QW",)),
    ("93000", (30, 80), ()), ("71046", (60, 140), ("26", "TC")), ("97110", (35, 70), ("GP", "59")),
    ("97140", (35, 70), ("GP", "59")), ("20610", (90, 200), ("RT", "LT")), ("11721", (50, 110), ()),
    ("90471", (20, 40), ()), ("90686", (20, 45), ()), ("J3301", (5, 20), ()), ("J1100", (2, 10), ()),
    ("G0439", (120, 200), ()), ("A4253", (20, 60), ("NU",)), ("E0114", (40, 90), ("NU", "RR")),
)
# (revenue code, HCPCS or None, charge range, unit basis): NUBC revenue codes for the 837I.
INSTITUTIONAL = (
    ("0300", "36415", (10, 30), "UN"), ("0305", "85025", (20, 60), "UN"), ("0301", "80053", (40, 120), "UN"),
    ("0730", "93005", (60, 200), "UN"), ("0320", "71046", (150, 400), "UN"), ("0450", "99284", (400, 1200), "UN"),
    ("0636", "J1100", (10, 40), "UN"), ("0250", None, (20, 200), "UN"), ("0120", None, (900, 2500), "DA"),
)
TAXONOMIES = ("207Q00000X", "207R00000X", "208D00000X", "207X00000X", "225100000X", "363LF0000X")
FACILITY_TAXONOMIES = ("282N00000X", "261QP2300X")
POS = ("11", "11", "11", "22", "19", "02")
FILING = ("CI", "CI", "BL", "HM", "MB", "MC")
LAST = ("ALDER", "BIRCH", "CEDAR", "DOGWOOD", "ELM", "FIR", "HAZEL", "JUNIPER", "LARCH", "MAPLE", "OAK", "PINE", "ROWAN", "SPRUCE", "WILLOW", "YEW")
FIRST = ("ALEX", "BLAIR", "CASEY", "DANA", "ELLIS", "FRANKIE", "GRAY", "HARPER", "JORDAN", "KENDALL", "LEE", "MORGAN", "QUINN", "RILEY", "SAGE", "TAYLOR")
CITIES = (("SPRINGFIELD", "IL", "62701"), ("COLUMBUS", "OH", "43215"), ("AUSTIN", "TX", "78701"), ("SALEM", "OR", "97301"), ("DOVER", "DE", "19901"))


def npi_check_digit(base9: str) -> str:
    """The NPI check digit: Luhn over the 80840 prefix and the first nine digits."""
    digits = [int(c) for c in "80840" + base9]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def make_npi(rng: random.Random) -> str:
    base = str(rng.choice("12")) + "".join(rng.choice("0123456789") for _ in range(8))
    return base + npi_check_digit(base)


class _Batch:
    def __init__(self, seed: int, kind: str):
        self.rng = rng = random.Random(seed)
        self.kind = kind
        self.billing = [(f"MADE-UP CLINIC {c}", make_npi(rng), f"{rng.randrange(10**8, 10**9)}", rng.choice(CITIES)) for c in "ABCD"]
        self.rendering = [(rng.choice(LAST), rng.choice(FIRST), make_npi(rng), rng.choice(TAXONOMIES)) for _ in range(12)]
        self.payers = [(f"MADE-UP HEALTH PLAN {c}", f"{rng.randrange(10000, 99999)}") for c in "ABCDEF"]

    def person(self) -> tuple:
        r = self.rng
        born = date(1940, 1, 1) + timedelta(days=r.randrange(0, 80 * 365))
        return r.choice(LAST), r.choice(FIRST), born.strftime("%Y%m%d"), r.choice("FM"), r.choice(CITIES)

    def claim(self, n: int, hl: int, parent: int) -> tuple[list[str], int]:
        r = self.rng
        segs: list[str] = []
        last, first, born, sex, (city, st, zip_) = self.person()
        payer_name, payer_id = r.choice(self.payers)
        dependent = r.random() < 0.17
        segs.append(f"HL*{hl}*{parent}*22*{1 if dependent else 0}")
        segs.append(f"SBR*P*{'' if dependent else '18'}*GRP{r.randrange(1000, 9999)}******{r.choice(FILING)}")
        segs.append(f"NM1*IL*1*{last}*{first}****MI*MADEUP{r.randrange(10**6, 10**7)}")
        segs.append(f"N3*{r.randrange(1, 9999)} MADE-UP STREET")
        segs.append(f"N4*{city}*{st}*{zip_}")
        segs.append(f"DMG*D8*{born}*{sex}")
        segs.append(f"NM1*PR*2*{payer_name}*****PI*{payer_id}")
        used = 1
        if dependent:
            plast, pfirst, pborn, psex, _ = self.person()
            pborn = (date(2005, 1, 1) + timedelta(days=r.randrange(0, 18 * 365))).strftime("%Y%m%d")
            segs += [f"HL*{hl + 1}*{hl}*23*0", "PAT*19", f"NM1*QC*1*{last}*{pfirst}", f"N3*{r.randrange(1, 9999)} MADE-UP STREET",
                     f"N4*{city}*{st}*{zip_}", f"DMG*D8*{pborn}*{psex}"]
            used = 2
        segs += self.claim_body(n)
        return segs, used

    def claim_body(self, n: int) -> list[str]:
        r = self.rng
        n_dx = min(12, max(1, int(r.expovariate(1 / 3.0)) + 1))
        dxs = r.sample(ICD10CM, n_dx)
        n_lines = r.choices((1, 2, 3, 4, 5, 6), weights=(25, 20, 20, 15, 12, 8))[0]
        dos = date(2025, 1, 2) + timedelta(days=r.randrange(0, 360))
        lines: list[str] = []
        total = 0
        prof = self.kind == "837P"
        for i in range(1, n_lines + 1):
            if prof:
                code, (lo, hi), mods = r.choice(PROFESSIONAL)
                cents = r.randrange(lo * 100, hi * 100)
                units = r.choice((1, 1, 1, 2)) if code.startswith(("J", "97")) else 1
                charge = cents * units
                mod = ":" + r.choice(mods) if mods and r.random() < 0.5 else ""
                ptrs = ":".join(str(p) for p in sorted(r.sample(range(1, n_dx + 1), min(n_dx, r.randint(1, 4)))))
                lines += [f"LX*{i}", f"SV1*HC:{code}{mod}*{_money(charge)}*UN*{units}***{ptrs}", f"DTP*472*D8*{dos:%Y%m%d}"]
            else:
                rev, code, (lo, hi), basis = r.choice(INSTITUTIONAL)
                units = r.randint(1, 3) if basis == "DA" else 1
                charge = r.randrange(lo * 100, hi * 100) * units
                proc = f"HC:{code}" if code else ""
                lines += [f"LX*{i}", f"SV2*{rev}*{proc}*{_money(charge)}*{basis}*{units}", f"DTP*472*D8*{dos:%Y%m%d}"]
            total += charge
        claim_id = f"MADE-UP-{n:07d}"
        rl, rf, rnpi, rtax = r.choice(self.rendering)
        if prof:
            head = [f"CLM*{claim_id}*{_money(total)}***{r.choice(POS)}:B:1*Y*A*Y*Y"]
            if r.random() < 0.1:
                head.append(f"REF*G1*MADEUPAUTH{r.randrange(1000, 9999)}")
            his = [f"HI*ABK:{dxs[0]}" + "".join(f"*ABF:{d}" for d in dxs[1:])]
            head += his
            head += [f"NM1*82*1*{rl}*{rf}****XX*{rnpi}", f"PRV*PE*PXC*{rtax}"]
        else:
            inpatient = r.random() < 0.3
            if inpatient:  # bill type 111, admission date and present-on-admission flags
                head = [f"CLM*{claim_id}*{_money(total)}***11:A:1**A*Y*Y", f"DTP*435*D8*{dos:%Y%m%d}",
                        f"DTP*434*RD8*{dos:%Y%m%d}-{dos:%Y%m%d}", "CL1*1*1*01"]
                poa = [":::::::" + r.choice("YYYNUW") for _ in dxs]
            else:  # bill type 131, hospital outpatient
                head = [f"CLM*{claim_id}*{_money(total)}***13:A:1**A*Y*Y", f"DTP*434*RD8*{dos:%Y%m%d}-{dos:%Y%m%d}", "CL1*2*1*01"]
                poa = [""] * len(dxs)
            head.append(f"HI*ABK:{dxs[0]}{poa[0]}")
            if len(dxs) > 1:
                head.append("HI*" + "*".join(f"ABF:{d}{p}" for d, p in zip(dxs[1:], poa[1:])))
            head += [f"NM1*71*1*{rl}*{rf}****XX*{rnpi}", f"PRV*AT*PXC*{rtax}"]
        return head + lines


def _money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def generate(n_claims: int, seed: int = 0, kind: str = "837P", claims_per_transaction: int = 500,
             segment_terminator: str = "~\n") -> bytes:
    """``n_claims`` valid synthetic claims in one interchange (several ST transactions), as bytes."""
    if kind not in ("837P", "837I"):
        raise ValueError("kind is 837P or 837I")
    batch = _Batch(seed, kind)
    version = "005010X222A1" if kind == "837P" else "005010X223A2"
    out: list[str] = []
    isa_ctrl = f"{seed % 10**9:09d}"
    out.append(f"ISA*00*          *00*          *ZZ*MADEUPSUBMIT   *ZZ*MADEUPRECEIVE  *260105*1200*^*00501*{isa_ctrl}*0*T*:")
    out.append(f"GS*HC*MADEUPSUBMIT*MADEUPRECEIVE*20260105*1200*1*X*{version}")
    n_tx = 0
    done = 0
    while done < n_claims or n_tx == 0:
        n_tx += 1
        st_ctrl = f"{n_tx:04d}"
        tx = [f"ST*837*{st_ctrl}*{version}", f"BHT*0019*00*MADEUP{n_tx}*20260105*1200*CH",
              "NM1*41*2*MADE-UP SUBMITTER*****46*MADEUPSUBMIT", "PER*IC*MADE-UP CONTACT*TE*5555550100",
              "NM1*40*2*MADE-UP RECEIVER*****46*MADEUPRECEIVE"]
        hl = 0
        in_tx = 0
        while done < n_claims and in_tx < claims_per_transaction:
            name, npi, tin, (city, st, zip_) = batch.rng.choice(batch.billing)
            hl += 1
            billing_hl = hl
            tx += [f"HL*{hl}**20*1", f"PRV*BI*PXC*{batch.rng.choice(FACILITY_TAXONOMIES if kind == '837I' else TAXONOMIES)}",
                   f"NM1*85*2*{name}*****XX*{npi}", "N3*100 MADE-UP AVENUE", f"N4*{city}*{st}*{zip_}", f"REF*EI*{tin}"]
            for _ in range(min(50, n_claims - done, claims_per_transaction - in_tx)):
                done += 1
                in_tx += 1
                segs, used = batch.claim(done, hl + 1, billing_hl)
                hl += used
                tx += segs
        tx.append(f"SE*{len(tx) + 1}*{st_ctrl}")
        out += tx
        if done >= n_claims:
            break
    out.append(f"GE*{n_tx}*1")
    out.append(f"IEA*1*{isa_ctrl}")
    return (segment_terminator.join(out) + segment_terminator).encode("ascii")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n_claims", type=int)
    ap.add_argument("--kind", choices=("837P", "837I"), default="837P")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--per-transaction", type=int, default=500)
    ap.add_argument("-o", "--output", help="file to write (default: standard output)")
    args = ap.parse_args(argv)
    data = generate(args.n_claims, args.seed, args.kind, args.per_transaction)
    if args.output:
        with open(args.output, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
