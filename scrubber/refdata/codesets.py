"""Small code sets shipped with claimscrub: place of service and modifiers.

Both are CSV files in ``scrubber/refdata/data/`` whose ``#`` header lines
cite their source. They are read once per process.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Modifier:
    code: str
    level: str  # "cpt" or "hcpcs"
    ncci_associated: bool
    meaning: str


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


@lru_cache(maxsize=None)
def pos_codes() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _rows("pos.csv")}


@lru_cache(maxsize=None)
def modifiers() -> dict[str, Modifier]:
    return {r["modifier"]: Modifier(r["modifier"], r["level"], r["ncci"] == "1", r["meaning"])
            for r in _rows("modifiers.csv")}


@lru_cache(maxsize=None)
def file_sha256(name: str) -> str:
    return hashlib.sha256((DATA / name).read_bytes()).hexdigest()
