"""Dump the JSON of the fixture and corpus runs, so a refactoring can show it changed nothing.

Why: a move or a split must leave every finding, location and message as it was. This runs
``claimscrub scrub --format json`` over the bundled fixtures (with and without eligibility files
and payer profiles) and over every 837 of ``../shared/corpus/x12``, drops what differs from run
to run (start time), and writes one JSON file per run into OUT. Diff two OUT directories::

    .venv/bin/python bench/dump_behaviour.py /tmp/before        # on the old commit
    .venv/bin/python bench/dump_behaviour.py /tmp/after
    diff -r /tmp/before /tmp/after && echo same

The runs use a private data directory (``CLAIMSCRUB_DATA_DIR`` under OUT) so imported tables of
the user's own data directory cannot make two machines disagree.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path.cwd()  # the checkout under test: run from its root, with its own venv
CORPUS = ROOT.parent / "shared" / "corpus" / "x12"

RUNS = {
    "fixtures-claims": ["fixtures/claims"],
    "fixtures-claims-payer": ["fixtures/claims-payer"],
    "fixtures-x12": ["fixtures/x12"],
    "fixtures-claims-eligibility": ["fixtures/eligibility/made-up-eligibility-claims.json",
                                    "--eligibility", "fixtures/eligibility/made-up-834.x12",
                                    "--eligibility", "fixtures/eligibility/made-up-271.x12"],
}
SAMPLES = (("ncci-ptp", "fixtures/refdata/SAMPLE-ccipra-v320r0-f1.txt"),
           ("ncci-ptp", "fixtures/packs/SAMPLE-PACKS-ccipra-v320r0-f2.txt"),
           ("mue", "fixtures/refdata/SAMPLE-MUE-Practitioner-2026Q1.csv"),
           ("hcpcs", "fixtures/refdata/SAMPLE-HCPC2026_JAN_ANWEB.txt"))


def _scrub(args: list[str], env: dict) -> dict:
    exe = Path(sys.executable).with_name("claimscrub")
    out = subprocess.run([str(exe), "scrub", *args, "--format", "json"], cwd=ROOT, env=env,
                         capture_output=True, text=True)
    try:
        data = json.loads(out.stdout)
    except ValueError:
        return {"exit": out.returncode, "stdout": out.stdout[-2000:], "stderr": out.stderr[-2000:]}
    data.get("run", {}).pop("started", None)
    data["exit"] = out.returncode
    return data


def main(out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, CLAIMSCRUB_DATA_DIR=str(out / "_data"))
    exe = Path(sys.executable).with_name("claimscrub")
    for kind, path in SAMPLES:  # the CMS-layout samples, so NCCI / MUE / HCPCS fields have tables
        subprocess.run([str(exe), "refdata", "import", kind, path], cwd=ROOT, env=env, capture_output=True, check=True)
    runs = dict(RUNS)
    for f in sorted(CORPUS.glob("*837*")):
        runs[f"corpus-{f.name}"] = [str(f)]
    if not any(k.startswith("corpus-") for k in runs):
        print(f"no corpus files under {CORPUS}", file=sys.stderr)
        return 2
    for name, args in runs.items():
        (out / f"{name}.json").write_text(json.dumps(_scrub(args, env), indent=1, sort_keys=True) + "\n")
    print(f"{len(runs)} runs written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/claimscrub-dump"))
