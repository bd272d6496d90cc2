"""The audit's progress line: claims/s and an ETA from a count of the CLM segments (MADE-UP claims)."""
from __future__ import annotations

import gzip
import io
import sys
from pathlib import Path

from scrubber.cli.progress import Progress, estimate_claims

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import gen_837  # noqa: E402


def test_the_estimate_counts_the_claims_with_each_files_own_separator(tmp_path):
    (tmp_path / "a.837").write_bytes(gen_837.generate(37, seed=2))
    (tmp_path / "b.837").write_bytes(gen_837.generate(5, seed=3).replace(b"*", b"|"))  # another element separator
    assert estimate_claims([str(tmp_path / "a.837"), str(tmp_path / "b.837")]) == 42
    with gzip.open(tmp_path / "c.837.gz", "wb") as f:
        f.write(gen_837.generate(3, seed=4))
    assert estimate_claims([str(tmp_path / "a.837"), str(tmp_path / "c.837.gz")]) is None  # no ETA, no guess


def test_the_progress_line_shows_an_eta_while_claims_remain():
    out = io.StringIO()
    p = Progress(enabled=True, stream=out)
    p.total = 1000
    p.started -= 10  # 10 s for the first 100 claims: 900 left at 10/s
    for _ in range(100):
        p.count += 1
    p._draw(p.started + 10)
    assert "ETA 1:30" in out.getvalue()
