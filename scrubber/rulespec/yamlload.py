"""Safe YAML with line numbers: every mapping remembers the line of each of its keys.

Rule authors need ``file:line`` in every message, so the loader is a SafeLoader
subclass (no python tags, no arbitrary objects) whose mappings are ``LineDict``s
and whose sequences are ``LineList``s. Both carry ``line`` (1-based line of the
node) and ``LineDict.key_lines`` (line of each key).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A dict that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    line: int = 0
    item_lines: list


class YamlProblem(Exception):
    """A file that is not loadable YAML: the message already says file:line."""


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):  # noqa: D401  (SafeLoader hook)
        self.flatten_mapping(node)
        out = LineDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a mapping key must be a plain value", key_node.start_mark
                )
            if key in out:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node, deep=False):
        out = LineList(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def load_yaml_text(text: str, path: str) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506  (SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "not valid YAML"
        if "could not determine a constructor" in str(what) or "tag" in str(what) and "!!python" in str(exc):
            what = f"{what.strip()}; rule files are plain data: remove the '!!' tag"
        ctx = exc.context_mark
        if ctx is not None and exc.problem_mark is not None and ctx.line != exc.problem_mark.line:
            what = f"{what} ({exc.context} on line {ctx.line + 1}; check it is closed and indented alike)"
        raise YamlProblem(f"{path}:{line}: YAML error: {what}") from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"{path}:1: YAML error: {exc}") from None


def load_yaml_file(path: Path) -> Any:
    """Load one YAML file, or raise YamlProblem with ``file:line: ...`` (bad bytes, syntax, tags, empty)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            f"{path}:{line}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    data = load_yaml_text(text, str(path))
    if data is None:
        raise YamlProblem(f"{path}:1: the file is empty; a rule file holds one mapping starting with 'id:'")
    return data
