"""The import guard: what every reference-data importer goes through, so that a truncated, garbage or
huge file is refused with its location and the edition in use stays as it was.

One mechanism, four parts (``importers.import_file`` applies the first and last to every kind,
including any importer added to ``IMPORTERS``; an importer adds the other two where it reads):

``check_source(path, kind)``
    before anything is parsed: the file is not empty, not over the size limit, a zip is whole
    (every member's CRC checked, the central directory there, no member that inflates past the
    limit) and a text table holds no binary data (a NUL byte), each refused with ``file`` or
    ``file:offset``.
``text_lines(display, stream, kind)``
    the lines of a text table, read with a bounded ``readline``: a line over the line limit, a NUL
    byte, or a last line without a line break (the file ends inside a record: a cut download) is
    refused with ``file:line``. CMS and CDC tables end every record with a line break.
``check_count(conn, edition_id, rows, display)``
    for tables imported as one file, an edition with less than half the rows of the edition of the
    same kind and setting imported before it (when that one had 1,000 rows or more) is refused as a
    probable truncation: CMS tables grow or shrink by a few percent a quarter, not by half.
``guarded(kind, path)``
    the import itself runs inside one SQLite transaction (``Store.transaction``); any error escaping
    an importer (a damaged zip member, an I/O error, bad text, a database error) becomes a
    ``RefDataError`` naming the file, after the transaction rolled back.

Atomic install: the new edition's rows are written inside that transaction and are invisible to
every other connection until COMMIT, which SQLite makes atomic in its write-ahead log; an error, a
refusal or a kill before it leaves the store exactly as it was, previous edition in use. That is the
"import into a temporary place, validate, then rename" of a file-based store, in database form:
a separate file renamed over the store would also have to copy every other kind's tables.

The limits are claimscrub's own (no CMS or CDC document sets them), settings in the environment:
``CLAIMSCRUB_REFDATA_MAX_MB`` (every kind; default per kind in ``LIMITS``, about 10x the largest
published file) and ``CLAIMSCRUB_REFDATA_MIN_SHARE`` (default 0.5; 0 turns the row-count check off).
"""
from __future__ import annotations

import csv
import os
import sqlite3
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator, Optional

from scrubber.refdata.errors import RefDataError

MB = 1 << 20


@dataclass(frozen=True)
class FileLimits:
    max_bytes: int  # the file, and each zip member uncompressed
    max_line: int  # characters in one line of a text table
    counted: bool = True  # one file is one edition: compare its rows with the edition before


# Published sizes: the NCCI practitioner PTP table is about 1.4 million rows (~100 MB of text over
# its parts), an MUE table a few MB, the HCPCS alpha-numeric file a few MB, the ICD-10-CM tabular
# XML and order file tens of MB. The limits are about ten times those.
LIMITS: dict[str, FileLimits] = {
    "ncci-ptp": FileLimits(1024 * MB, 4096, counted=False),  # practitioner tables come in parts
    "mue": FileLimits(64 * MB, 65536),
    "hcpcs": FileLimits(128 * MB, 4096),
    "icd10cm": FileLimits(512 * MB, 65536),
}
DEFAULT = FileLimits(256 * MB, 65536)  # a kind not listed here (a new importer)
MIN_SHARE = 0.5
COUNT_FLOOR = 1000  # editions smaller than this (samples) are not compared


def limits_for(kind: str) -> FileLimits:
    """The limits of ``kind``, with ``CLAIMSCRUB_REFDATA_MAX_MB`` applied when it is a whole number."""
    lim = LIMITS.get(kind, DEFAULT)
    raw = os.environ.get("CLAIMSCRUB_REFDATA_MAX_MB", "").strip()
    if raw.isascii() and raw.isdigit() and int(raw) > 0:
        lim = FileLimits(int(raw) * MB, lim.max_line, lim.counted)
    return lim


def _min_share() -> float:
    raw = os.environ.get("CLAIMSCRUB_REFDATA_MIN_SHARE", "").strip()
    try:
        value = float(raw) if raw else MIN_SHARE
    except ValueError:
        return MIN_SHARE
    return value if 0 <= value <= 1 else MIN_SHARE


def check_source(path: Path, kind: str) -> None:
    """Refuse a file that is empty, over the size limit, a damaged zip or binary data (see the module)."""
    lim = limits_for(kind)
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(1 << 16)
    except OSError as exc:
        raise RefDataError(f"cannot read the file: {exc.strerror or exc}", str(path)) from None
    if size == 0:
        raise RefDataError("the file is empty", str(path))
    if size > lim.max_bytes:
        raise RefDataError(f"the file is {size:,} bytes; the limit for {kind} files is {lim.max_bytes:,} "
                           "(CLAIMSCRUB_REFDATA_MAX_MB): not a CMS/CDC table, or not the one expected", str(path))
    if head[:2] == b"PK":
        _check_zip(path, lim)
        return
    nul = head.find(b"\x00")
    if nul >= 0:
        raise RefDataError(f"binary data (a NUL byte at byte offset {nul}): not a text table", str(path))


def _check_zip(path: Path, lim: FileLimits) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            for info in infos:
                if info.file_size > lim.max_bytes:
                    raise RefDataError(f"zip member {info.filename!r} inflates to {info.file_size:,} bytes; the limit is "
                                       f"{lim.max_bytes:,} (CLAIMSCRUB_REFDATA_MAX_MB)", str(path))
            bad = zf.testzip()  # reads every member, checking its CRC
    except RefDataError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, zlib.error, NotImplementedError, ValueError) as exc:
        raise RefDataError(f"not a whole zip file (truncated or damaged download?): {exc}", str(path)) from None
    if bad is not None:
        raise RefDataError(f"zip member {bad!r} is damaged (its CRC does not match): a truncated or corrupt download",
                           str(path))
    if not infos:
        raise RefDataError("the zip is empty", str(path))


def text_lines(display: str, stream: IO[str], kind: str) -> Iterator[str]:
    """The lines of a text table (line endings kept), refused at ``display:line`` when one is too
    long, holds a NUL byte, or is the last and has no line break (the file was cut)."""
    max_line = limits_for(kind).max_line
    lineno = 0
    while True:
        try:
            line = stream.readline(max_line + 1)
        except UnicodeDecodeError as exc:
            raise RefDataError(f"not {exc.encoding} text: {exc.reason}", display, lineno + 1) from None
        if not line:
            return
        lineno += 1
        if len(line) > max_line and not line.endswith("\n"):
            raise RefDataError(f"line {lineno} is longer than {max_line:,} characters: not a {kind} table, or a damaged one",
                               display, lineno)
        if "\x00" in line:
            raise RefDataError("binary data (a NUL byte) in the line: not a text table, or a damaged one", display, lineno)
        if not line.endswith(("\n", "\r")):
            if not line.strip():
                return  # trailing blanks after the last line break
            raise RefDataError("the file ends inside this line (no line break after it): the download is probably "
                               "truncated; fetch the file again", display, lineno)
        yield line


def check_count(conn: sqlite3.Connection, edition_id: int, rows: int, display: str) -> None:
    """Refuse an edition with less than ``CLAIMSCRUB_REFDATA_MIN_SHARE`` of the rows of the latest other
    edition of its kind and setting (inside the import's transaction, so a refusal rolls it back)."""
    share = _min_share()
    if share <= 0:
        return
    row = conn.execute("SELECT kind, setting, edition FROM editions WHERE id = ?", (edition_id,)).fetchone()
    if row is None or not limits_for(row[0]).counted:
        return
    prev = conn.execute(
        "SELECT edition, rows FROM editions WHERE kind = ? AND setting = ? AND id != ? AND builtin = 0 AND rows > 0 "
        "ORDER BY effective_from DESC, imported_at DESC LIMIT 1", (row[0], row[1], edition_id)).fetchone()
    if prev is None or prev[1] < COUNT_FLOOR or rows >= share * prev[1]:
        return
    raise RefDataError(f"the table has {rows:,} rows, less than {share:.0%} of the {prev[1]:,} rows of edition {prev[0]} "
                       "already imported: a truncated file? Nothing was imported (set CLAIMSCRUB_REFDATA_MIN_SHARE=0 "
                       "to import it anyway)", display)


@contextmanager
def guarded(kind: str, path: Path) -> Iterator[None]:
    """Check ``path`` (``check_source``), then run the import; anything an importer lets escape
    becomes a RefDataError naming the file (its transaction has rolled back by then)."""
    check_source(path, kind)
    try:
        yield
    except RefDataError as exc:
        if exc.file == path.name:  # named by its bare name deeper down (the edition's source name)
            raise RefDataError(exc.message, str(path), exc.line) from None
        raise
    except (OSError, EOFError, UnicodeError, csv.Error, zipfile.BadZipFile, zlib.error, sqlite3.DatabaseError,
            ValueError, MemoryError) as exc:
        raise RefDataError(f"the import failed and nothing was installed ({type(exc).__name__}: {exc})", str(path)) from None


def member_display(path: Path, member: Optional[str]) -> str:
    """``file!member`` for a zip member, as importers name them in errors."""
    return f"{path}!{member}" if member else str(path)
