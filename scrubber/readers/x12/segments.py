"""X12 bytes -> numbered segments, streaming, with the delimiters each ISA declares.

The ISA is nominally fixed width (106 characters), but real files pad it wrongly, so the
delimiters are found by counting element separators: the 4th character is the element
separator, ISA16 the component separator, and the character after ISA16 the segment
terminator. Files may carry a UTF-8 BOM, leading white space, CR/LF or no line breaks at
all, and several interchanges (each with its own delimiters). Text is UTF-8 (ASCII in
practice); a byte that is not UTF-8 is read as Latin-1 rather than dropped. A segment is yielded as
its text without terminator; ``count`` is then its 1-based segment number within the file.
The stream does not split segments into elements: the reader holds a transaction's texts
until its SE and splits each one when it reads it (``segment``).
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Optional

try:
    import cython  # compiled: resolved by Cython at build time; pure: Cython's shadow module if installed
except ImportError:
    from scrubber.readers.x12._cython import cython

MAX_SEGMENT_CHARS = 1 << 24  # a "segment" longer than this means the terminator is wrong
# A GS or ST segment id: not the tail of a longer word ("TEST~" is not an ST segment).
_ENVELOPE = re.compile(r"(?<![A-Za-z0-9])(GS|ST)[^A-Za-z0-9\s]")
_SEGMENT_START = re.compile(r"([A-Z][A-Z0-9]{1,2})([^A-Za-z0-9\s])")
# White space around segments; also NUL (block padding of mainframe transfers) and Ctrl-Z
# (0x1A, the DOS end-of-file mark), which end real files after the IEA and are never data.
_WS = " \t\r\n\x0b\x0c\ufeff\x00\x1a"


def _latin1_fallback(err: UnicodeDecodeError) -> tuple[str, int]:
    """Bytes that are not UTF-8 are read as Latin-1: older billing systems write names that way."""
    return err.object[err.start:err.end].decode("latin-1"), err.end


_LATIN1_FALLBACK = "claimscrub-x12-latin1"
codecs.register_error(_LATIN1_FALLBACK, _latin1_fallback)


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str
    repetition: Optional[str]
    terminator: str


class DelimiterError(ValueError):
    """The ISA does not declare usable delimiters."""


def delimiters_from_isa(text: str) -> Delimiters:
    """Delimiters declared by the ISA at the start of ``text`` (which may run past the ISA)."""
    if len(text) < 4 or not text.startswith("ISA"):
        raise DelimiterError("the interchange does not start with ISA")
    el = text[3]
    if el.isalnum() or el in _WS:
        raise DelimiterError(f"ISA element separator {el!r} is a letter, digit or white space")
    pos = 3
    for n in range(15):
        pos = text.find(el, pos + 1, 400)
        if pos < 0:
            raise DelimiterError(f"ISA has only {n + 1} of its 16 elements")
    if pos + 2 >= len(text):
        raise DelimiterError("ISA is truncated before ISA16 and the segment terminator")
    comp, term = text[pos + 1], text[pos + 2]
    if term == "\r" and text[pos + 3 : pos + 4] == "\n":
        term = "\r"  # CR LF terminated: the LF is stripped as leading white space
    # A line break may end segments; other white space (a stray space after ISA16) may not:
    # names and addresses hold spaces.
    if comp.isalnum() or comp in (el, term) or term == el or term.isalnum() or (term in _WS and term not in "\r\n"):
        raise DelimiterError(f"ISA declares unusable delimiters (component {comp!r}, terminator {term!r})")
    elements = text[: pos + 2].split(el)
    rep = elements[11] if len(elements) > 12 else ""
    version = elements[12] if len(elements) > 12 else ""
    repetition = rep if len(rep) == 1 and not rep.isalnum() and rep not in (el, comp, term) and version >= "00402" else None
    return Delimiters(el, comp, repetition, term)


def _envelope_segment(buf: str) -> Optional[re.Match]:
    """The first GS / ST that starts a segment, after an ISA that cannot declare the delimiters.

    An id right after the ISA's own element separator is an element value (``*ZZ*ST*``),
    not a segment."""
    el = buf[3] if len(buf) > 3 else ""
    for m in _ENVELOPE.finditer(buf, 3, 4096):
        before = buf[3 : m.start()].rstrip(_WS)
        if not before.endswith(el):
            return m
    return None


def guess_delimiters(text: str) -> Optional[Delimiters]:
    """Delimiters of a file that starts with a segment other than ISA (best effort): the
    element separator follows the 2-3 character segment id."""
    m = _SEGMENT_START.match(text)
    if m is None:
        return None
    el = m.group(2)
    i = m.end()
    n = len(text)
    # The terminator is the first character after the segment id that is neither a value
    # character nor the element separator; X12 values are upper-case letters, digits, space
    # and a few punctuation marks.
    while i < n and (text[i].isalnum() or text[i] in (el, " ", ".", "-")):
        i += 1
    if i >= n:
        return None
    term = text[i]
    comp = ":" if ":" not in (el, term) else "^"
    return Delimiters(el, comp, None, term)


def _drop_breaks(text: str) -> str:
    """``text`` without CR and LF (one pass per character that is there: most files have LF only)."""
    if "\r" in text:
        text = text.replace("\r", "")
    if "\n" in text:
        text = text.replace("\n", "")
    return text


def segment(no: int, text: str, el: str) -> tuple[int, str, list[str]]:
    """A segment as the reader's parts take it: ``(number, text, text.split(el))``."""
    return no, text, text.split(el)


class SegmentStream:
    """Iterate the segments of one X12 file; ``delimiters`` changes at each ISA.

    ``problems`` collects (rule_id, message, segment number) for what the tokenizer itself
    finds (an unreadable ISA, a missing ISA, a truncated last segment); the reader turns
    them into run errors.
    """

    def __init__(self, chunks: Iterable[bytes]):
        self._chunks = iter(chunks)
        self._decoder = codecs.getincrementaldecoder("utf-8")(_LATIN1_FALLBACK)
        self._eof = False
        self.delimiters: Optional[Delimiters] = None
        self.count = 0
        self.problems: list[tuple[str, str, int]] = []

    def _more(self) -> str:
        if self._eof:
            return ""
        for chunk in self._chunks:
            if chunk:
                text = self._decoder.decode(chunk)
                if text:
                    return text
        self._eof = True
        return self._decoder.decode(b"", final=True)

    def _sniff(self, buf: str) -> tuple[str, bool]:
        """Set delimiters from the ISA at the start of ``buf``; False when the file cannot be split."""
        while len(buf) < 1024 and not self._eof:
            buf += self._more()
        buf = buf.lstrip(_WS)
        if not buf:
            return buf, True
        if buf.startswith("ISA"):
            try:
                self.delimiters = delimiters_from_isa(buf[:1024])
                return buf, True
            except DelimiterError as exc:
                if self.delimiters is None:
                    m = _envelope_segment(buf)
                    guessed = guess_delimiters(buf[m.start():]) if m else None
                    if guessed is None:
                        self.problems.append(("X12-ISA", f"ISA segment unreadable: {exc}", self.count + 1))
                        return buf, False
                    self.delimiters = guessed
                    self.problems.append(("X12-ISA", f"ISA segment unreadable: {exc}; delimiters guessed from the {m.group(1)} segment "
                                          f"(element {guessed.element!r}, terminator {guessed.terminator!r})", self.count + 1))
                    return buf, True
                self.problems.append(("X12-ISA", f"ISA segment unreadable: {exc}; kept the previous delimiters", self.count + 1))
                return buf, True
        if self.delimiters is None:
            guessed = guess_delimiters(buf[:1024])
            if guessed is None:
                return buf, False
            self.delimiters = guessed
            self.problems.append((
                "X12-ISA-MISSING",
                f"file does not start with an ISA segment; guessed element separator {guessed.element!r}, "
                f"segment terminator {guessed.terminator!r}, component separator {guessed.component!r}",
                self.count + 1,
            ))
        return buf, True

    @cython.locals(buf=str, el=str, term=str, parts=list, text=str, i=cython.Py_ssize_t)
    @cython.boundscheck(False)  # compiled: the text indexes below are checked before use
    @cython.wraparound(False)
    def __iter__(self) -> Iterator[str]:
        buf = ""
        while True:
            buf, ok = self._sniff(buf)
            if not ok:
                if buf:
                    self.problems.append(("X12-ISA", "cannot find the X12 delimiters; the rest of the file was not read", self.count + 1))
                return
            if not buf:
                return
            el = self.delimiters.element
            term = self.delimiters.terminator
            # Line breaks are layout, not data (X12's character sets have no CR or LF): when
            # neither delimiter is one, drop them all at once instead of stripping each segment.
            drop_breaks = term not in "\r\n" and el not in "\r\n"
            if drop_breaks:
                buf = _drop_breaks(buf)
            resniff = False
            sniffed_at = self.count
            while not resniff:
                parts = buf.split(term)
                buf = parts.pop()
                for i, text in enumerate(parts):
                    if not text or text[0] <= " " or text[len(text) - 1] <= " ":
                        text = text.strip(_WS)
                        if not text:
                            continue
                    if text[0] == "I" and text[:3] == "ISA" and self.count > sniffed_at:
                        # A new interchange although the last one had no IEA (batches made by
                        # concatenating files): it may declare other delimiters, re-read them.
                        parts.append(buf)
                        buf = term.join(parts[i:])
                        resniff = True
                        break
                    self.count += 1
                    yield text
                    if text[0] == "I" and text[:3] == "IEA" and text[3:4] in ("", el):
                        # The next interchange may declare other delimiters: re-read from here.
                        parts.append(buf)
                        buf = term.join(parts[i + 1 :])
                        resniff = True
                        break
                if resniff:
                    break
                if self.count > sniffed_at and (len(buf) >= 1024 or self._eof) and buf.lstrip(_WS)[:3] == "ISA":
                    resniff = True  # the same, when the new interchange's terminator is not the last one's
                    break
                if self._eof:
                    tail = buf.strip(_WS)
                    if tail:
                        self.count += 1
                        self.problems.append(("X12-TRUNCATED", "the last segment has no segment terminator", self.count))
                        yield tail
                    return
                more = self._more()
                if drop_breaks:
                    more = _drop_breaks(more)
                buf += more
                if len(buf) > MAX_SEGMENT_CHARS and term not in buf:
                    self.problems.append(("X12-TRUNCATED", f"no segment terminator {term!r} in the last {len(buf):,} characters; stopped reading", self.count + 1))
                    return
