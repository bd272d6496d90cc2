"""The JSON contract (DESIGN.md "the output contract"), schema in scrubber/schemas/run_result.schema.json."""
from __future__ import annotations

import json


def render(result, out, **opts) -> None:
    json.dump(result.to_dict(), out, indent=2, ensure_ascii=False)
    out.write("\n")
