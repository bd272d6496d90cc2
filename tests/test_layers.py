"""The field vocabulary sits below the rule language and the engine (docs/architecture.md): no
module of ``scrubber/fields`` imports ``scrubber.rulespec`` or ``scrubber.engine``, at the top
or inside a function. A lower stage reaching up is how the old string imports began."""
from __future__ import annotations

import ast
from pathlib import Path

FIELDS = Path(__file__).resolve().parent.parent / "scrubber" / "fields"
HIGHER = ("scrubber.rulespec", "scrubber.engine", "scrubber.cli", "scrubber.report", "scrubber.writers")


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module))
    return found


def test_no_field_module_imports_a_higher_stage():
    modules = sorted(FIELDS.glob("*.py"))
    assert len(modules) >= 10  # the whole vocabulary is looked at, not an empty glob
    upward = [f"{p.name}:{line}: {name}" for p in modules for line, name in _imports(p)
              if name.startswith(HIGHER)]
    assert upward == []
