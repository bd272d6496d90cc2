"""The reference data rule test cases run against: built-in ICD-10-CM plus CMS-layout samples.

A rule case must give the same answer on every machine, whatever tables the user has imported,
so cases never read the user's tables. They read a store of their own, ``<data dir>/rule-cases/``,
holding the built-in ICD-10-CM edition (CDC April 2026) and the samples packaged in
``scrubber/data/rule_cases/`` (links to ``fixtures/refdata/`` and ``fixtures/packs/`` in a checkout,
copies in a wheel, so ``rules test`` passes from ``pip install claimscrub`` too): the practitioner
PTP and MUE samples (made-up codes 11111, 22222 ...), the HCPCS sample (made-up Z9901-Z9903,
modifier ZZ), the FY2025 order-file sample (six codes, one of them the made-up U9999) and the
made-up PTP pairs 11111, 22222 and 77777 / 99213, and the MPFS RVU sample (made-up codes 11111
000-day, 22222 010-day, 33333 XXX, 77777 090-day, with made-up indicators). The
order-file sample means: **a case dated before 2025-10-01 sees the six-code FY2025 sample**, so
date ICD-10-CM cases 2025-10-01 or later unless they test edition changes. Re-importing a sample
is a no-op (same sha256), so the store is built once per data directory and only opened later.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

SAMPLES = (
    ("ncci-ptp", "SAMPLE-ccipra-v320r0-f1.txt"),
    ("ncci-ptp", "SAMPLE-PACKS-ccipra-v320r0-f2.txt"),
    ("mue", "SAMPLE-MUE-Practitioner-2026Q1.csv"),
    ("hcpcs", "SAMPLE-HCPC2026_JAN_ANWEB.txt"),
    ("icd10cm", "icd10cm_order_2025.txt"),
    ("ncci-ptp", "SAMPLE-MPFS-ccipra-v320r0-f3.txt"),
    ("mpfs", "SAMPLE-PPRRVU2026_Jan_nonQPP.csv"),
)

_CACHE: dict[str, object] = {}  # one store per process: the first call's data directory


def samples_dir() -> Optional[Path]:
    """The packaged samples (``scrubber/data/rule_cases``): package data, so an installed wheel has them."""
    import scrubber

    d = Path(scrubber.__file__).resolve().parent / "data" / "rule_cases"
    return d if d.is_dir() else None


def import_samples(data_dir: Path) -> None:
    """Import every sample into ``data_dir`` (a no-op for the ones already there)."""
    from scrubber.refdata.importers import import_file
    from scrubber.refdata.store import Store

    src = samples_dir()
    if src is None:
        return
    store = Store(data_dir)
    try:
        for kind, name in SAMPLES:
            import_file(store, kind, src / name)
    finally:
        store.close()


def rule_case_refdata(data_dir: Optional[str] = None):
    """The RefData rule cases use, built under ``<data dir>/rule-cases`` on first use."""
    from scrubber.refdata import open_refdata
    from scrubber.refdata.store import resolve_data_dir

    rd = _CACHE.get("rd")
    if rd is None:
        root = resolve_data_dir(data_dir) / "rule-cases"
        root.mkdir(parents=True, exist_ok=True)
        import_samples(root)
        rd = _CACHE["rd"] = open_refdata(str(root))
    return rd
