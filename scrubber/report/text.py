"""Plain-text report grouped by claim: every finding with its location and suggestion, a summary last."""
from __future__ import annotations


def render(result, out, **opts) -> None:
    for c in result.claims:
        if not c.findings and c.status == "clean":
            continue
        out.write(f"{c.claim_id}  [{c.status}]  {c.source_path}:{c.source_segment}\n")
        if c.error:
            out.write(f"  unreadable: {c.error}\n")
        for f in c.findings:
            where = f.location_path or "-"
            seg = f" (segment {f.location_segment})" if f.location_segment else ""
            out.write(f"  {f.severity:<7} {f.rule_id:<14} {where}{seg}: {f.message}\n")
            if f.suggestion:
                out.write(f"          fix: {f.suggestion}\n")
    for e in result.errors:
        where = f"{e.path}:{e.segment}" if e.segment else (e.path or "")
        out.write(f"error ({e.kind}) {where}: {e.message}\n")
    s = result.summary()
    out.write(
        f"{s['claims_total']} claims: {s['claims_clean']} clean, {s['claims_flagged']} flagged, "
        f"{s['claims_unreadable']} unreadable; charges at risk {s['charges_at_risk']:.2f}\n"
    )
