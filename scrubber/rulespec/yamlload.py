"""The one safe YAML loader of claimscrub: every mapping and list remembers its lines.

Rule authors and payer-profile authors need ``file:line`` in every message, so the loader is
a ``yaml.SafeLoader`` subclass (no python tags, no arbitrary objects) whose mappings are
``LineDict``s and whose sequences are ``LineList``s. Both carry ``line`` (1-based line of the
node); ``LineDict.key_lines`` / ``LineList.item_lines`` hold the line of each key / item.

Two callers, two date behaviours, one parser (``parse_yaml``):

* rule files (``load_yaml_file`` / ``load_yaml_text``): ``2024-10-01`` becomes a ``date``
  (YAML's timestamp type), which the rule schema and test-case claims expect; a key that
  appears twice stops the load.
* payer profiles and settings (``scrubber.config.yamlload.load_yaml``): dates stay the text
  the author wrote (``dates_as_text=True``), because YAML would turn ``2024-10-01`` into a
  date but ``2024-10-1`` into a string and the profile code says itself which date is wrong;
  a key that appears twice is a problem listed with the others, not a stop.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml

try:  # libyaml's parser: in PyYAML's wheels; a PyYAML built without it parses in pure Python
    from yaml.cyaml import CParser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    CParser = None


class LineDict(dict):
    """A dict that knows the line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: Any) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    """A list that knows the line of itself and of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if 0 <= index < len(lines) else self.line


def line_at(data: Any, path: Iterable[Any], root_line: int = 0) -> int:
    """The line of the deepest node along ``path`` (keys and list indexes) that exists; the one line
    finder of rule files, payer profiles and settings (a schema error's path -> ``file:line``).
    ``root_line``: what to say when even the root has no line."""
    line = getattr(data, "line", 0) or root_line
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


class YamlProblem(Exception):
    """Text that is not loadable YAML: ``str()`` says ``file:line: YAML error: what``."""

    def __init__(self, message: str, line: int = 1, what: str = ""):
        super().__init__(message)
        self.line = line
        self.what = what or message


# Limits a hostile rule file or payer profile cannot pass (all far above any real file): nesting
# depth (the composer recurses once per level: a deep "[[[[..." would end in RecursionError), the
# size of the document with every alias expanded (the "billion laughs" of nine aliases of nine
# aliases... is small on disk and 10^9 nodes for whoever walks it), and the text's size.
MAX_DEPTH = 64
MAX_EXPANDED_NODES = 100_000
MAX_YAML_CHARS = 4 << 20


class _LineHooks:
    """The composer and constructor hooks of both loaders (pure-Python and libyaml events): mappings
    and lists become LineDicts / LineLists, duplicate keys are noted in ``duplicate_keys``, depth and
    alias expansion bounded (see MAX_DEPTH, MAX_EXPANDED_NODES)."""

    duplicate_keys: list
    _depth: int = 0
    _weights: dict

    def compose_node(self, parent, index):  # noqa: D401  (Composer hook)
        mark = self.peek_event().start_mark
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(None, None, f"nesting deeper than {MAX_DEPTH} levels", mark)
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        weights = self._weights
        if id(node) not in weights:  # an alias is the anchored node itself: counted again wherever used
            if isinstance(node, yaml.SequenceNode):
                w = 1 + sum(weights.get(id(c), 1) for c in node.value)
            elif isinstance(node, yaml.MappingNode):
                w = 1 + sum(weights.get(id(k), 1) + weights.get(id(v), 1) for k, v in node.value)
            else:
                w = 1
            weights[id(node)] = w
            self._keep.append(node)  # ids stay unique while the document is composed
            if w > MAX_EXPANDED_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"with its aliases expanded this holds more than {MAX_EXPANDED_NODES:,} values "
                    "(an alias bomb?); write the values out or use fewer aliases", node.start_mark)
        return node

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
                self.duplicate_keys.append((key, key_node.start_mark.line + 1))
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node, deep=False):
        out = LineList(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out


class _LineLoader(_LineHooks, yaml.SafeLoader):
    """The pure-Python loader: the reference, and the one whose messages a user sees on bad YAML."""


class _CLineLoader(*([CParser] if CParser else []), yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """The same loader on libyaml: scanner, parser and composer in C (``yaml.CParser``, in every PyYAML
    wheel); the safe constructor (``_LineHooks.construct_mapping`` / ``construct_sequence``) and the
    resolver are the Python ones, so the data, the lines and the refused tags are the same.

    Why: YAML was most of the start-up of every run (~85 rule and profile files); libyaml's composer
    takes a third of the time of the Python one. The composed nodes are checked against MAX_DEPTH
    and MAX_EXPANDED_NODES (``_within_limits``) before anything is constructed, and a text whose
    nesting could be deep enough to strain the C composer's recursion is never handed to it.
    libyaml words its errors differently, so bad YAML (or a document over a limit) is parsed again by
    ``_LineLoader`` and the user gets the message the linter always gave."""

    def __init__(self, stream):
        CParser.__init__(self, stream)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)


class _TextDateLoader(_LineLoader):
    """The same loader with YAML timestamps kept as the text written (profiles, settings)."""


class _CTextDateLoader(_CLineLoader):
    """libyaml events, timestamps kept as text."""


def _timestamp_as_text(loader, node):
    return loader.construct_scalar(node)


for _cls in (_LineLoader, _CLineLoader, _TextDateLoader, _CTextDateLoader):
    _cls.add_constructor("tag:yaml.org,2002:map", _LineHooks.construct_mapping)
    _cls.add_constructor("tag:yaml.org,2002:seq", _LineHooks.construct_sequence)
for _cls in (_TextDateLoader, _CTextDateLoader):
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def parse_yaml(text: str, path: str, *, dates_as_text: bool = False) -> tuple[Any, list[tuple[Any, int]]]:
    """(data, duplicate keys as (key, line)) of one YAML document; YamlProblem on bad YAML.

    Each call parses anew and returns data of its own (a caller may change what it got): with
    libyaml a parse costs about what a deep copy of the result did, so no memo of parsed texts."""
    if len(text) > MAX_YAML_CHARS:
        what = f"the file is larger than {MAX_YAML_CHARS >> 20} MB; a rule file or profile is a few KB"
        raise YamlProblem(f"{path}:1: YAML error: {what}", 1, what)
    if CParser is not None and _NON_PRINTABLE.search(text) is None and _nesting_bound(text) <= _C_NESTING_BOUND:
        try:  # else the pure-Python reader's own message (and its depth check)
            parsed = _run_c(_CTextDateLoader if dates_as_text else _CLineLoader, text)
            if parsed is not None:
                return parsed
        except (yaml.YAMLError, UnicodeError, RecursionError):
            pass  # parsed again below for the message users know (or for libyaml's stricter corners)
    return _parse_yaml(text, path, dates_as_text)


_NON_PRINTABLE = yaml.reader.Reader.NON_PRINTABLE


# libyaml's composer recurses in C once per nesting level, without Python's recursion limit; a text
# that might nest deeper than this goes to the pure-Python composer (which stops at MAX_DEPTH).
_C_NESTING_BOUND = 1000


def _nesting_bound(text: str) -> int:
    """An upper bound of the document's nesting depth: a block level takes at least one column of its
    line (indentation or a "- " / "? " indicator), a flow level an opening bracket."""
    longest = max(map(len, text.splitlines()), default=0)
    return longest + text.count("[") + text.count("{") + 2


def _within_limits(root) -> bool:
    """Whether the composed nodes stay within MAX_DEPTH and MAX_EXPANDED_NODES, counted as
    ``_LineHooks.compose_node`` counts them while composing (an alias: one level, the anchored
    node's whole weight; a node inside its own anchor: weight 1)."""
    weights: dict = {}
    stack = [(root, 1, False)]
    while stack:
        node, depth, done = stack.pop()
        if done:
            if isinstance(node, yaml.SequenceNode):
                w = 1 + sum(weights.get(id(c), 1) for c in node.value)
            else:
                w = 1 + sum(weights.get(id(k), 1) + weights.get(id(v), 1) for k, v in node.value)
            weights[id(node)] = w
            if w > MAX_EXPANDED_NODES:
                return False
            continue
        if depth > MAX_DEPTH:
            return False
        if id(node) in weights:  # an alias of a node already composed (or being composed)
            continue
        if isinstance(node, yaml.ScalarNode):
            weights[id(node)] = 1
            continue
        weights[id(node)] = 1  # while its children are counted: what an alias inside it weighs
        stack.append((node, depth, True))
        children = node.value if isinstance(node, yaml.SequenceNode) else [c for kv in node.value for c in kv]
        stack.extend((c, depth + 1, False) for c in reversed(children))
    return True


def _run_c(cls: type, text: str) -> tuple[Any, list[tuple[Any, int]]] | None:
    """``_run`` with libyaml composing; None when the document is over a limit (the caller parses it
    again in Python, which says which)."""
    loader = cls(text)
    loader.duplicate_keys = []
    try:
        node = loader.get_single_node()
        if node is not None and not _within_limits(node):
            return None
        return (loader.construct_document(node) if node is not None else None), loader.duplicate_keys
    finally:
        loader.dispose()


def _run(cls: type, text: str) -> tuple[Any, list[tuple[Any, int]]]:
    loader = cls(text)
    loader.duplicate_keys = []
    loader._weights, loader._keep = {}, []
    try:
        return loader.get_single_data(), loader.duplicate_keys
    finally:
        loader.dispose()


def _parse_yaml(text: str, path: str, dates_as_text: bool) -> tuple[Any, list[tuple[Any, int]]]:
    """The pure-Python parse, with every YAML error turned into a located YamlProblem."""
    try:
        return _run(_TextDateLoader if dates_as_text else _LineLoader, text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        what = exc.problem or exc.context or "not valid YAML"
        if "could not determine a constructor" in str(what) or "tag" in str(what) and "!!python" in str(exc):
            what = f"{what.strip()}; these files are plain data: remove the '!!' tag"
        ctx = exc.context_mark
        if ctx is not None and exc.problem_mark is not None and ctx.line != exc.problem_mark.line:
            what = f"{what} ({exc.context} on line {ctx.line + 1}; check it is closed and indented alike)"
        raise YamlProblem(f"{path}:{line}: YAML error: {what}", line, what) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(f"{path}:1: YAML error: {exc}", 1, str(exc)) from None


def load_yaml_text(text: str, path: str) -> Any:
    """A rule file's text -> data (dates typed); YamlProblem on bad YAML or a key given twice."""
    data, duplicates = parse_yaml(text, path)
    if duplicates:
        key, line = duplicates[0]
        what = f"key {key!r} appears twice in one mapping"
        raise YamlProblem(f"{path}:{line}: YAML error: {what}", line, what)
    return data


def load_yaml_file(path: Path) -> Any:
    """Load one YAML file, or raise YamlProblem with ``file:line: ...`` (bad bytes, syntax, tags, empty)."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(
            f"{path}:{line}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8", line
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    data = load_yaml_text(text, str(path))
    if data is None:
        raise YamlProblem(f"{path}:1: the file is empty; a rule file holds one mapping starting with 'id:'")
    return data
