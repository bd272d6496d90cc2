"""Safe YAML loading that remembers the line of every key and list item.

Payer-rule authors edit profiles by hand; an error that says only "invalid"
sends them hunting. ``LineLoader`` is a ``yaml.SafeLoader`` subclass (no
arbitrary object construction) whose mappings and sequences remember where each
entry starts, so a schema error on ``params.timely_filing.days`` can be reported
as ``payer_profiles/medicare.yaml:14``.

Dates stay strings: YAML's implicit timestamp type would turn ``2024-10-01``
into a ``date`` and ``2024-10-1`` into a string, which makes schema errors
inconsistent; the profile code parses dates itself and says which one is wrong.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional

import yaml


class LineDict(dict):
    """A mapping that knows the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that knows the 1-based line of itself and of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class LineLoader(yaml.SafeLoader):
    """SafeLoader whose mappings are LineDicts and sequences LineLists; duplicate keys are errors."""

    duplicate_keys: list


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            )
        if key in out:
            loader.duplicate_keys.append((key, key_node.start_mark.line + 1))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_sequence(loader: LineLoader, node: yaml.SequenceNode) -> LineList:
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
# Keep dates as the strings the author wrote (see the module docstring).
LineLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_yaml(path: str, display: Optional[str] = None) -> tuple[Any, list[str]]:
    """Parse one YAML file. Returns (data, problems); problems are ``file:line: message`` strings."""
    name = display or path
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        return None, [f"{name}: cannot read: {exc.strerror or exc}"]
    except UnicodeDecodeError as exc:
        return None, [f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
    loader = LineLoader(text)
    loader.duplicate_keys = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        return None, [f"{name}:{line}: YAML syntax error: {exc.problem or exc}"]
    except yaml.YAMLError as exc:
        return None, [f"{name}: YAML error: {exc}"]
    finally:
        loader.dispose()
    problems = [
        f"{name}:{line}: key '{key}' appears twice; keep one" for key, line in loader.duplicate_keys
    ]
    return data, problems


def line_at(data: Any, path: Iterable[Any]) -> int:
    """The line of the deepest node along ``path`` (keys and list indexes) that exists."""
    line = getattr(data, "line", 0)
    node = data
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.line_of(step)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.line_of(step)
            node = node[step]
        else:
            break
    return line


def plain(value: Any) -> Any:
    """The same data as built-in dicts and lists (no line bookkeeping), for handing to other stages."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
