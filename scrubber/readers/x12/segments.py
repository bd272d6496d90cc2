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

# A segment longer than this is cut to it, the rest skipped unheld (limits.py: ours, a setting).
MAX_SEGMENT_CHARS = 65_536
# A GS or ST segment id: not the tail of a longer word ("TEST~" is not an ST segment).
# re.ASCII: Python's \s also matches U+001C..U+001F, the information separators X12 files use as
# delimiters (fuzz case 1708: GS followed by 0x1F was not seen as a segment).
_ENVELOPE = re.compile(r"(?<![A-Za-z0-9])(GS|ST)[^A-Za-z0-9\s]", re.ASCII)
_SEGMENT_START = re.compile(r"([A-Z][A-Z0-9]{1,2})([^A-Za-z0-9\s])", re.ASCII)
_NEXT_ISA = re.compile(r"(?<![A-Za-z0-9 ])ISA[^A-Za-z0-9\s]", re.ASCII)
_ENVELOPE_AT = re.compile(r"(?<![A-Za-z0-9 ])(ISA|GS|ST)[^A-Za-z0-9\s]", re.ASCII)  # not inside a value ("MAIN ST~")
# A CLM segment start in the raw bytes, before any parsing (issue 19: the end-of-file accounting):
# "CLM" not inside a word, followed by a mark that may be an element separator or a terminator,
# and not preceded by that same mark (``*CLM*`` is an element value, not a segment). It counts
# a few values too (a free-text "SEE CLM~"): the count errs high, never low (see reliability.md).
# The pattern starts with the literal (a leading class or look-behind is 25-40x slower in ``re``:
# 24 MB/s, as slow as the whole reader); the byte before is checked per match (``_count_clm``).
# The mark after the id is ASCII: invalid UTF-8 flipped in after ``CLM`` (fuzz single case 590:
# ``CLM\xed\xa0\x80*``) makes a segment id that is not CLM, and the tokenizer reads it so.
_CLM_BYTES = re.compile(rb"CLM[^A-Za-z0-9\s\x00\x1a\x80-\xff]")  # NUL, Ctrl-Z: never a delimiter (_WS)
# An ISA whose element separator is a byte above 0x7F (Latin-1 input is legal X12: the ISA declares
# the delimiters, whatever their value). _CLM_BYTES leaves such marks out (see above), so the CLM
# segment starts of an interchange that declares one are counted with that very mark (_high_marks).
_ISA_HIGH = re.compile(rb"ISA[\x80-\xff]")
_CLM_CARRY = 16  # bytes kept across a chunk edge (a match is at most 5 bytes long; the rest: a CLM ending the file)
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


class CutISAError(DelimiterError):
    """The ISA is cut short: another ISA begins before its 16th element (a truncated interchange
    joined to the next one). ``next_at`` is where that ISA starts."""

    def __init__(self, next_at: int):
        super().__init__(f"the ISA is cut short: another ISA begins {next_at} characters into it")
        self.next_at = next_at


def delimiters_from_isa(text: str) -> Delimiters:
    """Delimiters declared by the ISA at the start of ``text`` (which may run past the ISA)."""
    if len(text) < 4 or not text.startswith("ISA"):
        raise DelimiterError("the interchange does not start with ISA")
    el = text[3]
    if el.isalnum() or el in _WS:
        raise DelimiterError(f"ISA element separator {el!r} is a letter, digit or white space")
    nxt = _NEXT_ISA.search(text, 3, 400)  # another interchange starting inside this ISA: it is cut short
    pos = 3
    for n in range(15):
        pos = text.find(el, pos + 1, 400)
        if pos < 0:
            if nxt is not None:
                raise CutISAError(nxt.start())
            raise DelimiterError(f"ISA has only {n + 1} of its 16 elements")
    if nxt is not None and nxt.start() < pos:
        raise CutISAError(nxt.start())
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
    if rep == term or rep == comp:
        # X12.5: the delimiters are distinct characters; a terminator equal to the repetition
        # separator (a flipped byte: '^' after ISA16) would split the ISA itself at ISA11.
        raise DelimiterError(f"ISA declares the repetition separator ISA11 {rep!r} as the segment terminator or component separator too")
    repetition = rep if len(rep) == 1 and not rep.isalnum() and rep not in (el, comp, term) and version >= "00402" else None
    return Delimiters(el, comp, repetition, term)


def _envelope_segment(buf: str) -> Optional[re.Match]:
    """The GS / ST that starts a segment, after an ISA that cannot declare the delimiters, whose
    guessed delimiters split the interchange best (the first of the first three, unless a later
    one does clearly better: a flipped byte may be the GS's own element separator).

    An id right after the ISA's own element separator is an element value (``*ZZ*ST*``),
    not a segment."""
    el = buf[3] if len(buf) > 3 else ""
    best, best_score, seen = None, -1, 0
    for m in _ENVELOPE.finditer(buf, 3, 4096):
        before = buf[3 : m.start()].rstrip(_WS)
        if before.endswith(el):
            continue
        guessed = guess_delimiters(buf[m.start():])
        score = segment_starts(_head(buf[m.start():]), guessed.element, guessed.terminator) if guessed else 0
        if best is None or score > best_score + 1:
            best, best_score = m, score
        seen += 1
        if seen == 3:
            break
    return best


def guess_delimiters(text: str) -> Optional[Delimiters]:
    """Delimiters of a file that starts with a segment other than ISA (best effort): the
    element separator follows the 2-3 character segment id.

    The terminator is the character that, splitting the first few kilobytes, starts the most
    pieces with a segment id and the element separator (``ST*``, ``BHT*`` ...): a stray mark
    inside an element (a byte flipped to ``@`` in GS05) must not be taken for it and swallow the
    rest of the file as one segment."""
    m = _SEGMENT_START.match(text)
    if m is None:
        return None
    el = m.group(2)
    i = m.end()
    n = len(text)
    # The first character after the segment id that is neither a value character nor the element
    # separator; X12 values are upper-case letters, digits, space and a few punctuation marks.
    while i < n and (text[i].isalnum() or text[i] in (el, " ", ".", "-")):
        i += 1
    if i >= n:
        return None
    term = text[i]
    head = _head(text)
    head = _drop_breaks(head) if el not in "\r\n" else head
    best = segment_starts(head, el, term)
    for cand in sorted({c for c in head if not c.isalnum() and c not in _WS and c not in (el, " ", ".", "-")}):
        score = segment_starts(head, el, cand)
        if score > best + 1:  # clearly better: more than one more segment start than the first guess
            term, best = cand, score
    comp = ":" if ":" not in (el, term) else "^"
    return Delimiters(el, comp, None, term)


def _head(text: str) -> str:
    """The first 4 K characters of ``text``, up to the next interchange: what delimiters are judged on."""
    head = text[:4096]
    m = _NEXT_ISA.search(head, 3)
    return head[:m.start()] if m else head


def segment_starts(head: str, el: str, term: str) -> int:
    """How many pieces of ``head`` split on ``term`` start with a segment id and ``el``: how well
    these delimiters split the text."""
    starts = re.compile(r"[\s\x00]*[A-Z][A-Z0-9]{1,2}" + re.escape(el), re.ASCII)
    return sum(1 for piece in head.split(term) if starts.match(piece))


def _drop_breaks(text: str) -> str:
    """``text`` without CR and LF (one pass per character that is there: most files have LF only)."""
    if "\r" in text:
        text = text.replace("\r", "")
    if "\n" in text:
        text = text.replace("\n", "")
    return text


def isa_inside(buf: str, term: str) -> int:
    """Where an interchange header (ISA) begins inside a segment of ``buf``, or -1.

    ``buf`` starts at a segment start. An ISA that does not follow a segment terminator (and
    white space), nor a letter or digit, is taken for a new interchange only when it reads as a
    whole interchange header: delimiters it declares, a date (ISA09) and time (ISA10) of digits.
    A value such as ``LISA`` or ``*ISA*`` in a segment is not one."""
    j = buf.find("ISA", 1)
    while j >= 0:
        c = buf[j - 1]
        if not (("0" <= c <= "9") or ("A" <= c <= "Z") or ("a" <= c <= "z")):
            k = j - 1
            while k >= 0 and buf[k] != term and buf[k] in _WS:
                k -= 1
            if k >= 0 and buf[k] != term and _is_isa_header(buf[j:j + 400]):
                return j
        j = buf.find("ISA", j + 3)
    return -1


def _is_isa_header(text: str) -> bool:
    """``text`` starts with an interchange header: usable delimiters, ISA09 six digits, ISA10 four."""
    if len(text) < 106:
        return False
    try:
        d = delimiters_from_isa(text)
    except DelimiterError:
        return False
    els = text.split(d.element, 16)
    date, time = els[9].strip(), els[10].strip()
    return len(date) == 6 and date.isdigit() and date.isascii() and len(time) == 4 and time.isdigit() and time.isascii()


def segment(no: int, text: str, el: str) -> tuple[int, str, list[str]]:
    """A segment as the reader's parts take it: ``(number, text, text.split(el))``."""
    return no, text, text.split(el)


class SegmentStream:
    """Iterate the segments of one X12 file; ``delimiters`` changes at each ISA.

    ``problems`` collects (rule_id, message, segment number) for what the tokenizer itself
    finds (an unreadable ISA, a missing ISA, a truncated last segment); the reader turns
    them into run errors.
    """

    def __init__(self, chunks: Iterable[bytes], max_segment_chars: int = MAX_SEGMENT_CHARS):
        self._chunks = iter(chunks)
        self._decoder = codecs.getincrementaldecoder("utf-8")(_LATIN1_FALLBACK)
        self._eof = False
        self.delimiters: Optional[Delimiters] = None
        self.count = 0
        self.problems: list[tuple[str, str, int]] = []
        self.max_segment = max_segment_chars
        self.bytes_read = 0  # file offsets of limit problems (about: CR/LF dropped, multi-byte text)
        self.cut_skipped = 0  # characters skipped after the head of the segment being cut
        self.cut_lost = 0  # CLM segments in that skipped part
        # (segment number, how many CLM segments, where): CLMs inside text skipped as a cut segment
        self.lost_claims: list[tuple[int, int, str]] = []
        self.clm_bytes = 0  # CLM segment starts seen in the raw bytes read so far (_count_clm)
        self.clm_first = -1  # byte offset of the first and of the last of them
        self.clm_last = -1
        self._carry = b""
        self._high_marks: dict = {}  # element separators above 0x7F some ISA declared -> CLM pattern

    def _count_clm(self, chunk: bytes) -> None:
        """Count the CLM segment starts of ``chunk`` (with the last bytes of the one before, so a
        start cut by a chunk edge is counted once): the file's claims as its bytes hold them,
        whatever the tokenizer later makes of the text."""
        carry = self._carry
        n = len(carry)
        data = carry + chunk if n else chunk
        found = 0
        first = last = -1
        for m in _CLM_BYTES.finditer(data):
            at = m.start()
            if at + 4 <= n:
                continue  # wholly inside the carry: counted with the chunk before
            if at:
                before = data[at - 1]
                if before == data[at + 3] or 48 <= before <= 57 or 65 <= before <= 90 or 97 <= before <= 122:
                    continue  # inside a word, or an element value (``*CLM*``)
            found += 1
            if first < 0:
                first = at
            last = at
        if self._high_marks or _ISA_HIGH.search(data) is not None:
            hf, hfirst, hlast = self._count_high_clm(data, n)
            if hf:
                found += hf
                first = hfirst if first < 0 else min(first, hfirst)
                last = max(last, hlast)
        if found:
            base = self.bytes_read - len(chunk) - n  # the file offset of data[0]
            if self.clm_first < 0:
                self.clm_first = base + first
            self.clm_bytes += found
            self.clm_last = base + last
        self._carry = data[-_CLM_CARRY:]

    def _count_high_clm(self, data: bytes, n: int) -> tuple[int, int, int]:
        """(count, first, last offset in ``data``) of the CLM segment starts written with an element
        separator above 0x7F that an ISA of the file declares: one byte (Latin-1), or the UTF-8
        sequence of one character, as the tokenizer will decode it. ``n``: bytes of the carry."""
        marks = self._high_marks
        for m in _ISA_HIGH.finditer(data):
            at = m.start() + 3
            lead = data[at]
            size = 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if 0xF0 <= lead <= 0xF4 else 1
            if at + size > len(data):
                continue  # a UTF-8 sequence cut by the chunk edge: judged with the next chunk (the carry)
            mark = data[at:at + size]
            try:
                mark.decode("utf-8")
            except UnicodeDecodeError:
                mark = data[at:at + 1]  # not UTF-8: the tokenizer reads the byte as Latin-1
            if mark not in marks:
                marks[mark] = re.compile(b"CLM" + re.escape(mark))
        found, first, last = 0, -1, -1
        for mark, pattern in marks.items():
            size = len(mark)
            for m in pattern.finditer(data):
                at = m.start()
                if at + 3 + size <= n:
                    continue  # wholly inside the carry: counted with the chunk before
                if at:
                    before = data[at - 1]
                    if data[max(at - size, 0):at] == mark or 48 <= before <= 57 or 65 <= before <= 90 or 97 <= before <= 122:
                        continue  # inside a word, or an element value
                found += 1
                if first < 0 or at < first:
                    first = at
                last = max(last, at)
        return found, first, last

    def count_rest(self) -> None:
        """Read the chunks the tokenizer left (a file it could not split) only to count their CLM
        segment starts, and count a ``CLM`` that ends the file (cut right after the id)."""
        if not self._eof:
            for chunk in self._chunks:
                if chunk:
                    self.bytes_read += len(chunk)
                    self._count_clm(chunk)
            self._eof = True
        tail = self._carry.rstrip(b" \t\r\n\x00\x1a")
        if tail.endswith(b"CLM") and (len(tail) == 3 or not tail[-4:-3].isalnum()):
            self.clm_bytes += 1
            self.clm_last = self.bytes_read - 3
            if self.clm_first < 0:
                self.clm_first = self.clm_last
        self._carry = b""

    def _more(self) -> str:
        if self._eof:
            return ""
        for chunk in self._chunks:
            if chunk:
                self.bytes_read += len(chunk)
                self._count_clm(chunk)
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
                self._check_declared(buf)
                return buf, True
            except CutISAError as exc:
                # Read the next interchange with its own delimiters; the fragment is reported, and a
                # CLM inside it (it is shorter than an ISA, so hardly) listed as a claim not read.
                fragment = buf[:exc.next_at]
                self.problems.append(("X12-ISA", f"ISA segment unreadable: {exc}; the {len(fragment)} characters before it were skipped", self.count + 1))
                lost = len(re.findall(r"(?<![A-Za-z0-9])CLM" + re.escape(buf[3]), fragment))
                if lost:
                    self.lost_claims.append((self.count + 1, lost, f"inside the cut-short ISA at segment {self.count + 1}"))
                return self._sniff(buf[exc.next_at:])
            except DelimiterError as exc:
                m = _envelope_segment(buf)
                guessed = guess_delimiters(buf[m.start():]) if m else None
                prev = self.delimiters
                if prev is not None and guessed is not None and (guessed.terminator, guessed.element) != (prev.terminator, prev.element) and \
                        segment_starts(_head(buf), guessed.element, guessed.terminator) > segment_starts(_head(buf), prev.element, prev.terminator) + 1:
                    prev = self.delimiters = None  # a later interchange plainly written with other delimiters
                if prev is None:
                    if guessed is None:
                        self.problems.append(("X12-ISA", f"ISA segment unreadable: {exc}", self.count + 1))
                        return buf, False
                    self.delimiters = guessed
                    self.problems.append(("X12-ISA", f"ISA segment unreadable: {exc}; delimiters guessed from the {m.group(1)} segment "
                                          f"(element {guessed.element!r}, terminator {guessed.terminator!r})", self.count + 1))
                    return buf, True
                self.problems.append(("X12-ISA", f"ISA segment unreadable: {exc}; kept the previous delimiters", self.count + 1))
                return buf, True
        if self.delimiters is not None and self.count > 0:
            skip = self._other_delimiters(buf)
            if skip:
                return self._sniff(buf[skip:])
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

    def _check_declared(self, buf: str) -> None:
        """An ISA whose declared terminator never occurs in its interchange (a flipped byte after
        ISA16) would make the whole rest of the file one segment: when the GS / ST after it is
        plainly written with other delimiters, read with those, and say so."""
        d = self.delimiters
        body = _head(buf)[110:]
        if len(body) < 64 or d.terminator in body or d.terminator in "\r\n":
            return
        m = _ENVELOPE_AT.search(buf, 100, 1024)
        guessed = guess_delimiters(buf[m.start():]) if m else None
        if guessed is None or segment_starts(_head(buf[m.start():]), guessed.element, guessed.terminator) < 3:
            return
        self.delimiters = guessed
        self.problems.append(("X12-ISA", f"the ISA declares segment terminator {d.terminator!r}, which does not occur in the "
                              f"interchange; read with the delimiters of its {m.group(1)} segment (element "
                              f"{guessed.element!r}, terminator {guessed.terminator!r})", self.count + 1))

    def _other_delimiters(self, buf: str) -> int:
        """After an IEA, text that does not start with ISA (joined files: the next one's ISA damaged,
        moved, or behind a few stray bytes). Keep the last delimiters unless the text is plainly
        written with others; returns how many characters to skip to an envelope segment (0: none).
        What is skipped is reported, and a CLM in it listed as a claim not read."""
        prev = self.delimiters
        options = []
        guessed = guess_delimiters(buf[:1024])
        if guessed is not None:
            options.append((0, guessed))
        m = _ENVELOPE_AT.search(buf, 1, 4096)
        if m is not None:
            start, before = m.start(), buf[:m.start()].count(prev.terminator)
            if m.group(1) == "ISA" and before == 0:  # stray bytes, then an ISA: read it
                self._skipped(buf[:start], "ISA")
                return start
            if m.group(1) != "ISA" and before <= 1:  # a damaged ISA (one segment), then GS or ST
                guessed = guess_delimiters(buf[start:start + 1024])
                if guessed is not None:
                    options.append((start, guessed))
        best = None
        least = segment_starts(_head(buf), prev.element, prev.terminator) + 1
        for start, guessed in options:
            if (guessed.terminator, guessed.element) == (prev.terminator, prev.element):
                continue
            score = segment_starts(_head(buf[start:]), guessed.element, guessed.terminator)
            if score > least and (best is None or score > best[0]):
                best = (score, start, guessed)
        if best is None:
            return 0
        _, start, guessed = best
        self.delimiters = guessed
        self.problems.append(("X12-ISA-MISSING", f"segment {self.count + 1} does not start an interchange with ISA "
                              f"and is not written with the last interchange's delimiters; guessed element "
                              f"separator {guessed.element!r}, segment terminator {guessed.terminator!r}", self.count + 1))
        if start:
            self._skipped(buf[:start], "GS or ST")
        return start

    def _skipped(self, text: str, before: str) -> None:
        self.problems.append(("X12-ISA", f"{len(text)} characters before the next {before} segment (after segment {self.count}) "
                              "were skipped", self.count + 1))
        lost = len(re.findall(r"(?<![A-Za-z0-9])CLM[^A-Za-z0-9\s]", text, re.ASCII))
        if lost:
            self.lost_claims.append((self.count + 1, lost, f"in the text skipped after segment {self.count}"))

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
            # neither delimiter is one, they are dropped from each segment's text. Not from the
            # buffer: the text after this interchange's IEA may be a next interchange whose
            # terminator is a line break.
            drop_breaks = term not in "\r\n" and el not in "\r\n"
            resniff = False
            sniffed_at = self.count
            sniffed_isa = buf[:3] == "ISA"  # else an ISA inside the first text is a new interchange
            while not resniff:
                blen = len(buf)
                # A segment never runs into the next interchange: a file cut inside a segment
                # (a CLM) and joined to the next holds an ISA inside that segment. What follows
                # the ISA is held back (``held``) and read after the cut segment, with its own
                # delimiters.
                held = ""
                if "ISA" in buf:
                    cut = isa_inside(buf, term)
                    if cut > 0:
                        held, buf = buf[cut:], buf[:cut]
                parts = buf.split(term)
                buf = parts.pop()
                for i, text in enumerate(parts):
                    if not text or text[0] <= " " or text[len(text) - 1] <= " ":
                        text = text.strip(_WS)
                        if not text:
                            continue
                    if drop_breaks and ("\n" in text or "\r" in text):
                        text = _drop_breaks(text)  # a segment wrapped over lines
                    if len(text) >= self.max_segment:
                        text = self._cut(text, self.bytes_read - blen - self.cut_skipped + sum([len(p) + 1 for p in parts[:i]]), el)
                    if text[0] == "I" and text[:3] == "ISA" and (self.count > sniffed_at or not sniffed_isa):
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
                    if held:
                        buf += held
                    break
                if (self.count > sniffed_at or not sniffed_isa) and (len(buf) >= 1024 or self._eof or held) and buf.lstrip(_WS)[:3] == "ISA":
                    resniff = True  # the same, when the new interchange's terminator is not the last one's
                    if held:  # that interchange holds the later ISA: read it with its own delimiters first
                        buf += held
                    break
                if held:
                    text = buf.strip(_WS)
                    if drop_breaks and ("\n" in text or "\r" in text):
                        text = _drop_breaks(text)
                    if len(text) >= self.max_segment:
                        text = self._cut(text, self.bytes_read - blen - self.cut_skipped, el)
                    self.count += 1
                    self.problems.append(("X12-TRUNCATED", f"segment {self.count} has no segment terminator: the ISA of "
                                          "another interchange begins inside it (a cut file joined to the next); it was "
                                          "read up to that ISA", self.count))
                    yield text
                    buf = held
                    resniff = True
                    break
                if self._eof:
                    tail = buf.strip(_WS)
                    if tail:
                        if len(tail) >= self.max_segment:
                            tail = self._cut(tail, self.bytes_read - len(buf) - self.cut_skipped, el)
                        self.count += 1
                        self.problems.append(("X12-TRUNCATED", "the last segment has no segment terminator", self.count))
                        yield tail
                    return
                more = self._more()
                if len(buf) + len(more) > self.max_segment and term not in more:
                    buf = self._skip_long(buf + more, term, el, drop_breaks)
                else:
                    buf += more

    def _skip_long(self, buf: str, term: str, el: str, drop_breaks: bool) -> str:
        """``buf`` holds the start of a segment longer than the limit: keep its head, read on
        without holding what follows up to its terminator (counting CLM segments in it, so that
        a wrong terminator that hides claims does not lose them silently), and return the
        head with the text from the terminator on."""
        cap = self.max_segment
        buf = buf.lstrip(_WS)  # the line break after the last terminator is layout, not the segment's
        head, rest = buf[:cap], buf[cap:]
        clm = re.compile(r"(?<![A-Za-z0-9])CLM" + re.escape(el))
        skipped, found, carry = 0, 0, head[-4:]
        while True:
            j = rest.find(term)
            part = rest if j < 0 else rest[:j]
            found += len(clm.findall(carry + part))
            carry = part[-4:]
            skipped += len(part)
            if j >= 0 or self._eof:
                break
            rest = self._more()
            if drop_breaks:
                rest = _drop_breaks(rest)
        self.cut_skipped, self.cut_lost = skipped, found
        return head + ("" if j < 0 else rest[j:])

    def _cut(self, text: str, offset: int, el: str) -> str:
        """A segment at or past the limit: report it and keep its first ``max_segment`` characters.
        CLM segments inside it (after its own start) are listed as claims not read."""
        size = len(text) + self.cut_skipped
        lost = self.cut_lost + len(re.findall(r"(?<![A-Za-z0-9])CLM" + re.escape(el), text[1:]))
        self.cut_skipped = self.cut_lost = 0
        if lost:
            self.lost_claims.append((self.count + 1, lost, f"inside segment {self.count + 1}, which is longer than the segment "
                                     "limit (the segment terminator may be wrong)"))
        self.problems.append(("X12-SEG-SIZE", f"segment {self.count + 1} (at about byte {max(offset, 0):,}) is {size:,} characters "
                              f"long; the limit is {self.max_segment:,} (CLAIMSCRUB_X12_MAX_SEGMENT_CHARS): only its first "
                              f"{self.max_segment:,} were read", self.count + 1))
        return text[:self.max_segment]
