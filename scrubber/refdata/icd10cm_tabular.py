"""Parse the CDC's ICD-10-CM tabular XML into codes, Excludes1 pairs and value sets.

The tabular is the only machine-readable source of the classification's
instructional notes, so everything a coding rule needs beyond "is this a code"
is derived from it here, once, and stored (see ``icd10cm.py``). How each value
set is derived is written down in ``docs/refdata.md``; the rules live in
``icd10cm_sets.py``.

Codes are kept without the dot (X12 convention: ``E119``). A *spec* is a pair
``(lo, hi)`` of dotless prefixes: a code ``c`` is covered when
``c[:len(lo)] >= lo and c[:len(hi)] <= hi``. ``("E10", "E10")`` is E10 and all
its descendants (written ``E10.-`` in the notes); ``("O10", "O11")`` is the
range O10-O11. ICD-10-CM's ordering matches ASCII (C49 < C4A < C50), so plain
string comparison is right.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from scrubber.refdata import add_dot, undot  # noqa: F401  (re-exported for callers of this module)
from scrubber.refdata.errors import RefDataError

Spec = tuple[str, str]

_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?"
_CODE_RE = re.compile(_CODE)
_PAREN_RE = re.compile(r"\(([^()]*)\)")


def spec_covers(spec: Spec, code: str) -> bool:
    lo, hi = spec
    return code[: len(lo)] >= lo and code[: len(hi)] <= hi


@dataclass
class Node:
    """One ``diag``: its dotless code, title, 7th-character definition and children."""

    code: str
    title: str
    parent: Optional["Node"]
    seventh: Optional[list[tuple[str, str]]] = None
    # (6th character, 7th character) combinations a note rules out, e.g. S06: D and S not with 6th 7 or 8
    seventh_exceptions: frozenset[tuple[str, str]] = frozenset()
    children: list["Node"] = field(default_factory=list)

    def seventh_in_force(self) -> tuple[Optional[list[tuple[str, str]]], frozenset[tuple[str, str]]]:
        n: Optional[Node] = self
        exceptions: frozenset[tuple[str, str]] = frozenset()
        found = None
        while n is not None:
            exceptions |= n.seventh_exceptions
            if found is None and n.seventh is not None:
                found = n.seventh
            n = n.parent
        return found, exceptions


_SEVENTH_EXCEPTION_RE = re.compile(
    r"7th characters? ((?:[A-Z](?:,\s*|\s+and\s+|\s+or\s+)?)+) do(?:es)? not apply to codes in category \S+ "
    r"with 6th character (\d)(?:.*?\bor (\d)\b)?",
)


def _seventh_exceptions(texts: Iterable[str]) -> frozenset[tuple[str, str]]:
    """Read "7th characters D and S do not apply to codes in category S06 with
    6th character 7 ..., or 8 ..." into {(7, D), (7, S), (8, D), (8, S)}."""
    out = set()
    for t in texts:
        m = _SEVENTH_EXCEPTION_RE.search(t)
        if not m:
            continue
        sevenths = re.findall(r"[A-Z]", m.group(1))
        sixths = [x for x in (m.group(2), m.group(3)) if x]
        out.update((six, sev) for six in sixths for sev in sevenths)
    return frozenset(out)


@dataclass
class Tabular:
    """What the rest of the package needs from one tabular XML."""

    version: str
    codes: dict[str, tuple[bool, str]]  # dotless code -> (billable, title)
    chapters: list[tuple[Spec, str, str]]  # (range, number, title)
    sections: list[tuple[Spec, str]]  # (range, title)
    excludes1: list[tuple[Spec, Spec, str]]  # (source scope, excluded spec, note text)
    code_first: list[tuple[str, str]]  # (dotless code carrying a code-first note, note text)
    skipped_refs: int  # Excludes1 references left out because they are qualified ("with 5th character 1")
    roots: list[Node] = field(default_factory=list)


def _text(el) -> str:
    return " ".join("".join(el.itertext()).split()) if el is not None else ""


def parse_tabular(path: Path) -> Tabular:
    """Read the tabular XML (entity resolution and network off)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_comments=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as e:
        raise RefDataError(f"not a well-formed ICD-10-CM tabular XML: {e.msg}", str(path), e.lineno) from None
    if root.tag != "ICD10CM.tabular":
        raise RefDataError(f"root element is <{root.tag}>, expected <ICD10CM.tabular>", str(path), root.sourceline)

    codes: dict[str, tuple[bool, str]] = {}
    chapters: list[tuple[Spec, str, str]] = []
    sections: list[tuple[Spec, str]] = []
    pending_notes: list[tuple[Spec, object]] = []  # (scope, excludes1 element), resolved once all codes are known
    code_first: list[tuple[str, str]] = []
    roots: list[Node] = []

    def walk_diag(el, parent: Optional[Node]) -> Node:
        # one pass over the children: this runs for all ~47,000 <diag> elements
        code = title = ""
        seven = None
        notes: list[str] = []
        kids = []
        for child in el:
            tag = child.tag
            if tag == "name":
                code = undot(child.text or "")
            elif tag == "desc":
                title = _text(child)
            elif tag == "diag":
                kids.append(child)
            elif tag == "excludes1":
                pending_notes.append((None, child))  # scope filled in below, once the code is known
            elif tag == "codeFirst":
                code_first.extend(("", _text(n)) for n in child.iter("note"))
            elif tag == "sevenChrDef":
                seven = [(x.get("char", ""), _text(x)) for x in child.iter("extension")]
            elif tag == "notes":
                notes.extend(_text(n) for n in child.iter("note"))
        if not code:
            raise RefDataError("<diag> without a <name>", str(path), el.sourceline)
        for i in range(len(pending_notes) - 1, -1, -1):
            if pending_notes[i][0] is not None:
                break
            pending_notes[i] = ((code, code), pending_notes[i][1])
        for i in range(len(code_first) - 1, -1, -1):
            if code_first[i][0]:
                break
            code_first[i] = (code, code_first[i][1])
        node = Node(code, title, parent, seven)
        if notes:
            node.seventh_exceptions = _seventh_exceptions(notes)
        node.children = [walk_diag(k, node) for k in kids]
        return node

    version = (root.findtext("version") or "").strip()
    for chap in root.findall("chapter"):
        desc = _text(chap.find("desc"))
        m = re.search(r"\((" + _CODE + r")-(" + _CODE + r")\)\s*$", desc)
        chap_spec = (undot(m.group(1)), undot(m.group(2))) if m else None
        if chap_spec:
            chapters.append((chap_spec, (chap.findtext("name") or "").strip(), desc))
            for ex in chap.findall("excludes1"):
                pending_notes.append((chap_spec, ex))
        for sec in chap.findall("section"):
            sid = sec.get("id", "")
            parts = sid.split("-")
            sec_spec = (undot(parts[0]), undot(parts[-1])) if parts and parts[0] else None
            if sec_spec:
                sections.append((sec_spec, _text(sec.find("desc"))))
                for ex in sec.findall("excludes1"):
                    pending_notes.append((sec_spec, ex))
            for d in sec.findall("diag"):
                roots.append(walk_diag(d, None))

    def emit(node: Node) -> None:
        if node.children:
            codes[node.code] = (False, node.title)
            for c in node.children:
                emit(c)
            return
        seventh, exceptions = node.seventh_in_force()
        if not seventh:
            codes[node.code] = (True, node.title)
            return
        codes[node.code] = (False, node.title)
        base = node.code.ljust(6, "X")
        for char, meaning in seventh:
            if (base[5], char) not in exceptions:
                codes[base + char] = (True, f"{node.title}, {meaning}")

    for r in roots:
        emit(r)
    if not codes:
        raise RefDataError("no <diag> codes found", str(path))

    excludes1: list[tuple[Spec, Spec, str]] = []
    skipped = 0
    for scope, ex in pending_notes:
        heading_refs: list[Spec] = []
        for note in ex.findall("note"):
            text = _text(note)
            refs, n_skipped = note_references(text, codes)
            skipped += n_skipped
            if not refs and heading_refs and not text.rstrip().endswith(":"):
                refs = heading_refs  # an item under a heading that carried the codes
            if text.rstrip().endswith(":"):
                heading_refs = refs
            for spec in refs:
                excludes1.append((scope, spec, text))
    return Tabular(version, codes, chapters, sections, excludes1, code_first, skipped, roots)


def _known_prefix(code: str, codes: dict[str, tuple[bool, str]]) -> bool:
    return code in codes


def note_references(text: str, codes: dict[str, tuple[bool, str]]) -> tuple[list[Spec], int]:
    """The code specs an instructional note points at, and how many were skipped.

    Handles ``(E10.-)``, ``(O24.4-)``, ``(B38.0-B38.2)``, ``(O10-O11, O13-O16)``,
    ``(I70.2--I70.7-)``, ``(P28.3- - P28.4-)`` and typos like ``(D29.2.-)``.
    A reference qualified by a character position ("E08-E13 with .44",
    "V01-V09 with 5th character 1") names a subset that cannot be read
    reliably from free text; it is skipped and counted rather than widened to
    the whole range (a wrong pair would flag valid claims). A reference whose
    codes are not in the classification is skipped too.
    """
    out: list[Spec] = []
    skipped = 0
    for group in _PAREN_RE.findall(text):
        if not _CODE_RE.search(group):
            continue
        if re.search(r"\bwith\b", group):
            expanded = _with_suffixes(group, codes) or _with_character(group, codes)
            if expanded:
                out.extend(expanded)
            else:
                skipped += 1
            continue
        for token in re.split(r",|\band\b", group):
            found = list(_CODE_RE.finditer(token))
            if not found:
                continue
            if len(found) == 2 and "-" in token[found[0].end(): found[1].start()]:
                lo, hi = undot(found[0].group().rstrip(".")), undot(found[1].group().rstrip("."))
                if _known_prefix(lo, codes) and _known_prefix(hi, codes) and lo <= hi:
                    out.append((lo, hi))
                else:
                    skipped += 1
                continue
            for m in found:
                c = undot(m.group().rstrip("."))
                if _known_prefix(c, codes):
                    out.append((c, c))
                else:
                    skipped += 1
    return out, skipped


_WITH_SUFFIX_RE = re.compile(r"^(?P<cats>[A-Z0-9 ,-]+?)\s*,?\s+with\s+(?P<sufs>\.[0-9A-Z][0-9A-Z.,\s-]*)$")


def _with_suffixes(group: str, codes: dict[str, tuple[bool, str]]) -> list[Spec]:
    """``E08-E13 with .44`` -> E08.44, E09.44, E10.44, E11.44, E13.44 (the ones that exist);
    ``E08-E13 with .51-.52`` -> E08.51-E08.52, ...; ``F10, F13, F19 with .26, .96``.
    Other qualified forms ("with 5th character 1") give nothing."""
    m = _WITH_SUFFIX_RE.match(group.strip())
    if not m:
        return []
    categories: list[str] = []
    for token in m.group("cats").split(","):
        ends = [t.strip() for t in token.split("-") if t.strip()]
        if len(ends) == 1 and ends[0] in codes:
            categories.append(ends[0])
        elif len(ends) == 2:
            categories.extend(c for c in codes if len(c) == 3 and ends[0] <= c <= ends[1])
    out = []
    for s1, s2 in re.findall(r"\.([0-9A-Z]{1,4})(?:-\.([0-9A-Z]{1,4}))?", m.group("sufs")):
        for cat in categories:
            lo, hi = cat + s1, cat + (s2 or s1)
            if lo in codes and hi in codes:
                out.append((lo, hi))
    return out


_WITH_CHARACTER_RE = re.compile(
    r"^(?P<code>[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?)-?\s+with\s+(?:the\s+)?(?P<pos>seventh|sixth|fifth|7th|6th|5th)\s+"
    r"characters?\s+(?P<chars>[0-9A-Z](?:\s*(?:,|or|and)\s*[0-9A-Z])*)$")
_POSITION = {"fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7}


def _with_character(group: str, codes: dict[str, tuple[bool, str]]) -> list[Spec]:
    """``S06.0X- with seventh character A`` -> every code under S06.0X whose 7th character is A
    (S06.0X0A, S06.0X1A ...): one code prefix qualified by one character position, the form the
    tabular uses for "current injury" Excludes1 notes (F07.81). Ranges so qualified stay skipped."""
    m = _WITH_CHARACTER_RE.match(group.strip())
    if not m:
        return []
    prefix, pos = undot(m.group("code").rstrip(".")), _POSITION[m.group("pos")]
    chars = set(re.findall(r"[0-9A-Z]", m.group("chars")))
    hits = [c for c in codes if len(c) >= pos and c.startswith(prefix) and c[pos - 1] in chars
            and (pos == 7 or len(c) == pos)]
    return [(c, c) for c in sorted(hits)]


def iter_nodes(roots: Iterable[Node]) -> Iterable[Node]:
    stack = list(roots)[::-1]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(n.children))
