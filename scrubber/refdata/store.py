"""The local reference-data store: one SQLite file in the data directory.

Why SQLite: the NCCI PTP file has about 1.4 million rows; an indexed table
imports in seconds, answers a point look-up in microseconds, needs no server
and is one file a user can copy. Every table row carries the ``edition_id`` of
the edition it came from, so quarters and fiscal years live side by side and
the look-ups pick the edition in force on the date of service.

Bookkeeping:

- ``editions``: one row per (kind, setting, edition label) with its effective
  date, row count, sha256 and import time;
- ``sources``: one row per imported file (sha256 of its bytes). Importing a
  file whose sha256 is already recorded is a no-op, so re-running an import
  script never duplicates rows.

Every import runs in one transaction: a bad row rolls the whole file back, so
nothing is ever half imported.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from scrubber.refdata.errors import RefDataError

DB_NAME = "refdata.sqlite3"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS editions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    setting TEXT NOT NULL DEFAULT '',
    edition TEXT NOT NULL,
    effective_from TEXT,
    rows INTEGER NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, setting, edition)
);
CREATE TABLE IF NOT EXISTS sources (
    sha256 TEXT NOT NULL,
    edition_id INTEGER NOT NULL REFERENCES editions(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    rows INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    PRIMARY KEY (sha256, edition_id)
);
CREATE TABLE IF NOT EXISTS ptp_rationale (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS ptp (
    edition_id INTEGER NOT NULL,
    col1 TEXT NOT NULL,
    col2 TEXT NOT NULL,
    prior_1996 INTEGER NOT NULL,
    effective INTEGER NOT NULL,
    deleted INTEGER,
    modifier INTEGER NOT NULL,
    rationale_id INTEGER
);
CREATE INDEX IF NOT EXISTS ptp_pair ON ptp (edition_id, col1, col2);
CREATE TABLE IF NOT EXISTS mue (
    edition_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    value INTEGER NOT NULL,
    mai INTEGER NOT NULL,
    rationale TEXT NOT NULL,
    PRIMARY KEY (edition_id, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hcpcs (
    edition_id INTEGER NOT NULL,
    record TEXT NOT NULL,           -- 'P' procedure, 'M' modifier
    code TEXT NOT NULL,
    added INTEGER,
    effective INTEGER,
    terminated INTEGER,
    action TEXT NOT NULL,
    long_desc TEXT NOT NULL,
    short_desc TEXT NOT NULL,
    PRIMARY KEY (edition_id, record, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS icd_code (
    edition_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    billable INTEGER NOT NULL,
    title TEXT NOT NULL,
    PRIMARY KEY (edition_id, code)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS icd_excludes1 (
    edition_id INTEGER NOT NULL,
    src_lo TEXT NOT NULL, src_hi TEXT NOT NULL,
    dst_lo TEXT NOT NULL, dst_hi TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS icd_excludes1_edition ON icd_excludes1 (edition_id);
CREATE TABLE IF NOT EXISTS icd_set (
    edition_id INTEGER NOT NULL,
    set_name TEXT NOT NULL,
    lo TEXT NOT NULL, hi TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS icd_set_edition ON icd_set (edition_id, set_name);
CREATE TABLE IF NOT EXISTS mpfs (
    edition_id INTEGER NOT NULL,
    code TEXT NOT NULL,
    modifier TEXT NOT NULL,         -- '' global service, 26 / TC / 53
    status TEXT NOT NULL,
    glob_days TEXT NOT NULL,        -- 000 010 090 MMM XXX YYY ZZZ
    mult_proc TEXT NOT NULL,
    bilat_surg TEXT NOT NULL,
    asst_surg TEXT NOT NULL,
    co_surg TEXT NOT NULL,
    team_surg TEXT NOT NULL,
    PRIMARY KEY (edition_id, code, modifier)
) WITHOUT ROWID;
"""

# kind -> tables holding its rows (for replacing an edition's contents)
KIND_TABLES = {
    "ncci-ptp": ("ptp",),
    "mue": ("mue",),
    "hcpcs": ("hcpcs",),
    "icd10cm": ("icd_code", "icd_excludes1", "icd_set"),
    "mpfs": ("mpfs",),
}


def resolve_data_dir(data_dir: Optional[str] = None) -> Path:
    """``--data-dir`` > ``CLAIMSCRUB_DATA_DIR`` > ``$XDG_DATA_HOME/claimscrub`` > ``~/.local/share/claimscrub``."""
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get("CLAIMSCRUB_DATA_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "claimscrub"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class EditionRow:
    id: int
    kind: str
    setting: str
    edition: str
    effective_from: Optional[dt.date]
    rows: int
    sha256: str
    imported_at: str
    builtin: bool


class Store:
    """An open connection to the data directory's SQLite file."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.pid = os.getpid()
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            # a generous busy timeout: another process may be building the ICD-10-CM cache
            self.conn = sqlite3.connect(str(data_dir / DB_NAME), isolation_level=None, check_same_thread=False,
                                        timeout=120)
            self.conn.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL never corrupts the file; a power cut can lose only the last import
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA cache_size=-65536")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self.conn.executescript(_SCHEMA)
            self.conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        except (OSError, sqlite3.Error) as e:
            raise RefDataError(f"cannot open the reference-data store: {e}", str(data_dir / DB_NAME)) from None

    def close(self) -> None:
        self.conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: commit on success, roll back on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    # ---- editions -------------------------------------------------------
    def editions(self, kind: Optional[str] = None) -> list[EditionRow]:
        sql = "SELECT id, kind, setting, edition, effective_from, rows, sha256, imported_at, builtin FROM editions"
        args: tuple = ()
        if kind:
            sql += " WHERE kind = ?"
            args = (kind,)
        out = []
        for r in self.conn.execute(sql + " ORDER BY kind, setting, effective_from, edition", args):
            eff = dt.date.fromisoformat(r[4]) if r[4] else None
            out.append(EditionRow(r[0], r[1], r[2], r[3], eff, r[5], r[6], r[7], bool(r[8])))
        return out

    def source_known(self, sha: str, kind: str) -> Optional[EditionRow]:
        row = self.conn.execute(
            "SELECT e.id FROM sources s JOIN editions e ON e.id = s.edition_id WHERE s.sha256 = ? AND e.kind = ?",
            (sha, kind),
        ).fetchone()
        if not row:
            return None
        return next(e for e in self.editions(kind) if e.id == row[0])

    def begin_edition(
        self,
        conn: sqlite3.Connection,
        kind: str,
        setting: str,
        edition: str,
        effective_from: Optional[dt.date],
        *,
        replace: bool,
        builtin: bool = False,
    ) -> int:
        """Create the edition row (inside the caller's transaction); with ``replace``
        an existing edition of the same label loses its old rows first."""
        row = conn.execute(
            "SELECT id FROM editions WHERE kind = ? AND setting = ? AND edition = ?", (kind, setting, edition)
        ).fetchone()
        if row and replace:
            for table in KIND_TABLES[kind]:
                conn.execute(f"DELETE FROM {table} WHERE edition_id = ?", (row[0],))
            conn.execute("DELETE FROM sources WHERE edition_id = ?", (row[0],))
            conn.execute("UPDATE editions SET rows = 0, sha256 = '' WHERE id = ?", (row[0],))
        if row:
            return row[0]
        cur = conn.execute(
            "INSERT INTO editions (kind, setting, edition, effective_from, imported_at, builtin) VALUES (?, ?, ?, ?, ?, ?)",
            (kind, setting, edition, effective_from.isoformat() if effective_from else None, now_iso(), int(builtin)),
        )
        return int(cur.lastrowid)

    def finish_edition(self, conn: sqlite3.Connection, edition_id: int, sha: str, file_name: str, rows: int) -> None:
        """Record the source file and refresh the edition's row count and sha256.

        An edition built from several files (CMS splits the practitioner PTP
        table into parts) gets the sha256 of its sources' sha256s, sorted."""
        conn.execute(
            "INSERT INTO sources (sha256, edition_id, file_name, rows, imported_at) VALUES (?, ?, ?, ?, ?)",
            (sha, edition_id, file_name, rows, now_iso()),
        )
        shas = sorted(r[0] for r in conn.execute("SELECT sha256 FROM sources WHERE edition_id = ?", (edition_id,)))
        combined = shas[0] if len(shas) == 1 else hashlib.sha256("".join(shas).encode()).hexdigest()
        total = conn.execute("SELECT COALESCE(SUM(rows), 0) FROM sources WHERE edition_id = ?", (edition_id,)).fetchone()[0]
        conn.execute(
            "UPDATE editions SET rows = ?, sha256 = ?, imported_at = ? WHERE id = ?",
            (total, combined, now_iso(), edition_id),
        )


# ---- edition labels -------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august",
     "september", "october", "november", "december"], start=1)}


def parse_edition_label(label: str) -> Optional[dt.date]:
    """The effective date an edition label stands for, or None.

    Accepted: ``2026Q1`` (quarter start), ``FY2026`` (2025-10-01: federal fiscal
    years start on October 1), ``2026-04-01``, ``2026-04``, ``April-2026``,
    ``April-1-2026``."""
    s = label.strip()
    m = re.fullmatch(r"(\d{4})\s*-?\s*Q([1-4])", s, re.I)
    if m:
        return dt.date(int(m.group(1)), 3 * (int(m.group(2)) - 1) + 1, 1)
    m = re.fullmatch(r"FY\s*-?(\d{4})", s, re.I)
    if m:
        return dt.date(int(m.group(1)) - 1, 10, 1)
    m = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
        except ValueError:
            return None
    m = re.fullmatch(r"([A-Za-z]+)[-_ ](?:(\d{1,2})[-_ ])?(\d{4})", s)
    if m and m.group(1).lower() in _MONTHS:
        return dt.date(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2) or 1))
    return None


def yyyymmdd(text: str) -> int:
    """``20260101`` -> 20260101 after checking it is a real date (ValueError if not)."""
    if len(text) != 8 or not (text.isascii() and text.isdigit()):
        raise ValueError(text)
    dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    return int(text)


def date_int(d: dt.date) -> int:
    return d.year * 10000 + d.month * 100 + d.day
