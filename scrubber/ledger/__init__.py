"""The audit ledger: an embedded SQLite database recording every scrub and audit run.

Each run records what makes it reproducible and comparable: its inputs with sha256, the rule
packs with sha256, the reference-data editions, the payer profiles, the tool version, the counts
and every finding in order. Member ids are stored as salted HMAC-SHA256 hashes (the salt is
random per ledger, so the same member matches across runs of one ledger but a hash cannot be
looked up elsewhere) unless the run is recorded with ``phi=True`` (``--ledger-phi``); patient
names and birth dates are never stored, and without ``phi`` they and the member id are masked
in finding messages too.

Frequency history: ``record_run(..., services=tracker.counted)`` also keeps the services a payer
frequency limit counted (member and claim as salted HMACs, procedure code, date, line number; see
``schema.py``) and the claim key of every claim the run read (``frequency_claims``), and ``frequency_history()`` gives them back to the next run's
``FrequencyTracker(history, keys=ledger.keys())`` so "one per 365 days" spans runs.

Use: ``Ledger(path).record_run(result, kind="scrub") -> run id``; ``runs()``, ``run(ref)``,
``findings(ref)``, ``diff(a, b)`` (``scrubber.ledger.diff``).
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
import sqlite3
from datetime import date, datetime, timezone
from typing import Iterable, Optional

from scrubber.ledger.schema import DDL, SCHEMA_VERSION
from scrubber.model.result import RunResult

LEDGER_FILE = "ledger.sqlite3"


_ROWS_PER_INSERT = 5_000  # claims per executemany batch when a run is recorded

class LedgerError(Exception):
    """A ledger that cannot be opened or a run reference that names no run (a usage error)."""


def default_data_dir() -> str:
    """CLAIMSCRUB_DATA_DIR, else $XDG_DATA_HOME/claimscrub, else ~/.local/share/claimscrub."""
    env = os.environ.get("CLAIMSCRUB_DATA_DIR")
    if env:
        return env
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "claimscrub")


def default_ledger_path() -> str:
    return os.path.join(default_data_dir(), LEDGER_FILE)


@dataclasses.dataclass(frozen=True)
class RunRow:
    id: int
    kind: str
    started: str
    recorded: str
    tool_version: str
    payer_profile: Optional[str]
    claims_total: int
    claims_clean: int
    claims_flagged: int
    claims_unreadable: int
    findings_error: int
    findings_warning: int
    findings_info: int
    run_errors: int
    charges_at_risk: str
    phi: int
    options: str
    run_extra: str
    status: Optional[str] = None  # "running": begun and never recorded (the run was killed); None / "complete"

    @property
    def incomplete(self) -> bool:
        return self.status == "running"


@dataclasses.dataclass(frozen=True)
class FindingRow:
    """One finding as the ledger keeps it, with the claim it belongs to."""

    claim_seq: int
    claim_id: str
    source_path: Optional[str]
    rule_id: str
    severity: str
    category: str
    message: str
    line: Optional[int]
    location_path: Optional[str]
    location_segment: Optional[int]
    codes: tuple[str, ...]


class PseudonymKeys:
    """Salted HMAC-SHA256 keys for member and claim ids (``scrubber.fields.frequency.ServiceKeys``).

    The salt is the ledger's own random one, so a key matches across runs of one ledger and cannot
    be looked up anywhere else. Holds only the salt: a run keeps it while the ledger is closed (the
    engine forks workers, and an open SQLite connection must not cross a fork).
    """

    def __init__(self, key: bytes):
        self._salt = key

    def _pseudonym(self, kind: str, value: str) -> str:
        message = f"{kind}\0{value}".encode("utf-8")
        return "hmac-sha256:" + hmac.new(self._salt, message, hashlib.sha256).hexdigest()

    def member_key(self, member_id: str) -> str:
        """The key of a member id, normalised here too (``fields.common.normalised_member_id``,
        idempotent) so no caller can key one member two ways."""
        return self._pseudonym("member", _member(member_id))

    def claim_key(self, member_id: str, claim_id: str) -> str:
        """The key of a claim: member and claim id together (two practices may use the same patient
        control number for different members)."""
        return self._pseudonym("claim", f"{_member(member_id)}\0{claim_id}")


def _member(member_id: Optional[str]) -> str:
    from scrubber.fields.common import normalised_member_id

    return normalised_member_id(member_id) or ""


def user_pseudonym_key() -> bytes:
    """The user's pseudonym key, kept apart from every ledger: CLAIMSCRUB_PSEUDONYM_KEY (any text), else
    the key file CLAIMSCRUB_PSEUDONYM_KEY_FILE or $XDG_CONFIG_HOME/claimscrub/pseudonym.key (made on
    first use, mode 0600). Whoever has a ledger without this key cannot test a member id against it."""
    text = os.environ.get("CLAIMSCRUB_PSEUDONYM_KEY")
    if text:
        return hashlib.sha256(text.encode("utf-8")).digest()
    path = os.environ.get("CLAIMSCRUB_PSEUDONYM_KEY_FILE") or os.path.join(
        os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config"), "claimscrub", "pseudonym.key")
    try:
        with open(path, encoding="ascii") as f:
            return bytes.fromhex(f.read().strip())
    except FileNotFoundError:
        pass
    except (OSError, ValueError) as e:
        raise LedgerError(f"cannot read the pseudonym key file {path}: {e}") from e
    os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another run made it first
        return user_pseudonym_key()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return bytes.fromhex(key)


class Ledger:
    def __init__(self, path: Optional[str] = None):
        self.path = path or default_ledger_path()
        parent = os.path.dirname(os.path.abspath(self.path))
        try:
            os.makedirs(parent, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30)  # another run may be recording
            self.db.executescript(DDL)
            if "status" not in {r[1] for r in self.db.execute("PRAGMA table_info(runs)")}:
                self.db.execute("ALTER TABLE runs ADD COLUMN status TEXT")  # add, never rename (schema.py)
            self.db.commit()
            self.db.execute("BEGIN IMMEDIATE")  # two runs creating one ledger at once: one ledger id, not two
            legacy = self._meta("salt")  # ledgers before the user key kept their salt inside: still read
            if legacy:
                self._key = bytes.fromhex(legacy)
            else:  # one random id per ledger (not secret) under the user's key, which is kept elsewhere
                ledger_id = self._meta("ledger_id") or self._set_meta("ledger_id", secrets.token_hex(16))
                self._key = hmac.new(user_pseudonym_key(), b"claimscrub-ledger\0" + ledger_id.encode(), hashlib.sha256).digest()
                check = hmac.new(self._key, b"claimscrub-key-check", hashlib.sha256).hexdigest()[:16]
                if self._meta("key_check") is None:
                    self._set_meta("key_check", check)
                elif self._meta("key_check") != check:
                    raise LedgerError(f"the ledger {self.path} was written with another pseudonym key: set "
                                      "CLAIMSCRUB_PSEUDONYM_KEY (or the key file) to the one it was written with")
            if self._meta("schema_version") is None:
                self._set_meta("schema_version", SCHEMA_VERSION)
            self.db.commit()
        except (sqlite3.Error, OSError) as e:
            raise LedgerError(f"cannot open the ledger {self.path}: {e}") from e

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _meta(self, key: str) -> Optional[str]:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> str:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))
        return value

    def member_hash(self, member_id: Optional[str]) -> Optional[str]:
        """The member's one pseudonym (what a run without --ledger-phi stores in ``claims.member``): the
        same key as its frequency history, so a member is one keyed hash everywhere in the ledger."""
        from scrubber.fields.common import normalised_member_id

        member = normalised_member_id(member_id)
        return None if member is None else self.keys().member_key(member)

    def keys(self) -> "PseudonymKeys":
        """The keys frequency history is stored under, usable after the ledger is closed."""
        return PseudonymKeys(self._key)

    # -- runs begun and not yet recorded
    def begin_run(self, kind: str = "run") -> int:
        """A run row marked ``running``, committed at once: if the process dies before ``record_run``
        the ledger still opens (SQLite rolls the unfinished transaction back) and lists the run as
        incomplete."""
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            with self.db:
                cur = self.db.execute(
                    "INSERT INTO runs (kind, started, recorded, tool_version, payer_profile, claims_total, claims_clean,"
                    " claims_flagged, claims_unreadable, findings_error, findings_warning, findings_info, run_errors,"
                    " charges_at_risk, phi, options, run_extra, status) VALUES (?,?,?,?,?,0,0,0,0,0,0,0,0,'0.00',0,'{}','{}',"
                    "'running')", (kind, started, started, "", None))
                return cur.lastrowid
        except sqlite3.Error as e:
            raise LedgerError(f"cannot begin a run in {self.path}: {e}") from e

    def member_key(self, member_id: str) -> str:
        return self.keys().member_key(member_id)

    def claim_key(self, member_id: str, claim_id: str) -> str:
        return self.keys().claim_key(member_id, claim_id)

    def frequency_history(self) -> list:
        """Services earlier runs counted under a frequency limit (``PastService``), each claim as its
        latest run saw it: a claim scrubbed again after a correction counts once, with its new lines."""
        from scrubber.fields.frequency import PastService

        # Grouped once per claim (the (claim_key, run_id) index), de-duplicated here: a claim listed
        # twice in one batch is one claim. 3x faster than a per-row MAX sub-query with DISTINCT.
        # A claim's latest run is the latest that read it (frequency_claims), or kept a service of it (ledgers
        # written before frequency_claims existed); a latest run that kept no service leaves the claim out.
        sql = ("WITH seen AS (SELECT claim_key, run_id FROM frequency_claims"
               " UNION ALL SELECT claim_key, run_id FROM frequency_services),"
               " latest AS (SELECT claim_key, MAX(run_id) AS run_id FROM seen GROUP BY claim_key)"
               " SELECT f.member_key, f.claim_key, f.line, f.code, f.service_date FROM frequency_services f"
               " JOIN latest ON f.claim_key = latest.claim_key AND f.run_id = latest.run_id")
        try:
            rows = set(self.db.execute(sql).fetchall())
        except sqlite3.Error as e:
            raise LedgerError(f"cannot read frequency history from {self.path}: {e}") from e
        dates: dict[str, date] = {}
        return [PastService(m, c, line, code, dates.get(d) or dates.setdefault(d, date.fromisoformat(d)))
                for m, c, line, code, d in rows]

    def _claim_keys(self, result: RunResult) -> set:
        """The frequency-history key of every readable claim of ``result`` that has a member id."""
        from scrubber.fields.common import normalised_member_id

        keys = self.keys()
        out = set()
        for c in result.claims:
            member = normalised_member_id(c.member_id)
            if member is not None and c.status != "unreadable":
                out.add(keys.claim_key(member, c.claim_id or ""))
        return out

    # -- writing
    def record_run(self, result: RunResult, kind: str = "scrub", phi: bool = False,
                   options: Optional[dict] = None, services: Iterable = (), run_id: Optional[int] = None) -> int:
        """Store ``result`` and return its run id. One transaction: a run is recorded whole or not at all.

        ``services``: the run's ``FrequencyTracker.counted`` (keys from this ledger's
        ``member_key`` / ``claim_key``), kept for the frequency limits of later runs.
        """
        from scrubber.report.redact import claim_masker, redact_errors

        summary = result.summary()
        sev = summary["findings_by_severity"]
        at_risk = sum((c.total_charge for c in result.claims if c.status == "flagged" and c.total_charge is not None),
                      start=0)
        recorded = datetime.now(timezone.utc).isoformat(timespec="seconds")
        extra = {k: v for k, v in result.run.extra.items() if k != "payer_profiles"}
        try:
            with self.db:
                if run_id is not None:  # the row begin_run made: replaced by the whole run, in this transaction
                    self.db.execute("DELETE FROM runs WHERE id = ? AND status = 'running'", (run_id,))
                cur = self.db.execute(
                    "INSERT INTO runs (id, kind, started, recorded, tool_version, payer_profile, claims_total, claims_clean,"
                    " claims_flagged, claims_unreadable, findings_error, findings_warning, findings_info, run_errors,"
                    " charges_at_risk, phi, options, run_extra, status) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'complete')",
                    (run_id, kind, result.run.started, recorded, result.tool_version, result.run.payer_profile,
                     summary["claims_total"], summary["claims_clean"], summary["claims_flagged"],
                     summary["claims_unreadable"], sev["error"], sev["warning"], sev["info"], len(result.errors),
                     f"{at_risk:.2f}", int(phi), json.dumps(options or {}, sort_keys=True, default=str),
                     json.dumps(extra, sort_keys=True, default=str)),
                )
                run_id = cur.lastrowid
                self._record_run_info(run_id, result)
                claim_rows, finding_rows = [], []
                for seq, c in enumerate(result.claims):
                    member = c.member_id if phi else self.member_hash(c.member_id)
                    mask = (lambda text: text) if phi or not (c.findings or c.error) else claim_masker(c)
                    claim_rows.append((run_id, seq, c.claim_id, c.source_path, c.source_segment, c.status, c.payer,
                                       c.payer_id, c.billing_npi, c.rendering_npi, c.service_date,
                                       None if c.total_charge is None else str(c.total_charge), member, mask(c.error)))
                    for fseq, f in enumerate(c.findings):
                        finding_rows.append((run_id, seq, fseq, f.rule_id, f.severity, f.category, mask(f.message),
                                             mask(f.suggestion), f.source, f.line, f.location_path, f.location_segment,
                                             json.dumps([mask(x) for x in f.codes])))
                    if len(claim_rows) >= _ROWS_PER_INSERT:  # bounded memory on a large run (same transaction)
                        self._insert_claims(claim_rows, finding_rows)
                        claim_rows, finding_rows = [], []
                self._insert_claims(claim_rows, finding_rows)
                errors = result.errors if phi else redact_errors(result)
                self.db.executemany("INSERT INTO run_errors VALUES (?,?,?,?,?,?)",
                                    [(run_id, i, e.kind, e.message, e.path, e.segment) for i, e in enumerate(errors)])
                self.db.executemany("INSERT INTO frequency_claims VALUES (?,?)",
                                    [(run_id, k) for k in self._claim_keys(result)])
                self.db.executemany("INSERT INTO frequency_services VALUES (?,?,?,?,?,?)",
                                    [(run_id, s.member_key, s.claim_key, s.line, s.code, s.service_date.isoformat())
                                     for s in services])
        except sqlite3.Error as e:
            raise LedgerError(f"cannot record the run in {self.path}: {e}") from e
        return run_id

    def _insert_claims(self, claim_rows: list, finding_rows: list) -> None:
        self.db.executemany("INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", claim_rows)
        self.db.executemany("INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", finding_rows)

    def _record_run_info(self, run_id: int, result: RunResult) -> None:
        run = result.run
        self.db.executemany("INSERT INTO run_inputs VALUES (?,?,?,?)",
                            [(run_id, i, d.get("path"), d.get("sha256")) for i, d in enumerate(run.inputs)])
        self.db.executemany("INSERT INTO run_rulesets VALUES (?,?,?,?,?)",
                            [(run_id, i, d.get("id"), d.get("version"), d.get("sha256")) for i, d in enumerate(run.rulesets)])
        self.db.executemany("INSERT INTO run_refdata VALUES (?,?,?,?,?)",
                            [(run_id, i, d.get("kind"), d.get("edition"), d.get("sha256")) for i, d in enumerate(run.refdata)])
        profiles = run.extra.get("payer_profiles") or ([{"id": run.payer_profile}] if run.payer_profile else [])
        rows = []
        for i, p in enumerate(profiles):
            p = p if isinstance(p, dict) else {"id": str(p)}
            rows.append((run_id, i, p.get("id"), p.get("sha256")))
        self.db.executemany("INSERT INTO run_payer_profiles VALUES (?,?,?,?)", rows)

    # -- reading
    def runs(self, limit: Optional[int] = None) -> list[RunRow]:
        """Runs, newest first."""
        sql = "SELECT * FROM runs ORDER BY id DESC" + (" LIMIT ?" if limit else "")
        return [RunRow(*row) for row in self.db.execute(sql, (limit,) if limit else ())]

    def resolve(self, ref: str | int) -> int:
        """A run id from a reference: a number, ``last`` (newest) or ``last~N`` (N runs before it)."""
        text = str(ref).strip()
        if text.isascii() and text.isdigit():
            run_id = int(text)
        elif text == "last" or text.startswith("last~"):
            back = int(text[5:]) if text.startswith("last~") and text[5:].isascii() and text[5:].isdigit() else 0
            row = self.db.execute("SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", (back,)).fetchone()
            if row is None:
                raise LedgerError(f"no run {text!r} in {self.path}")
            run_id = row[0]
        else:
            raise LedgerError(f"{text!r} is not a run: give a run number from 'claimscrub audit history', or 'last'")
        if self.db.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
            raise LedgerError(f"no run {run_id} in {self.path} (see 'claimscrub audit history')")
        return run_id

    def run(self, ref: str | int) -> RunRow:
        run_id = self.resolve(ref)
        return RunRow(*self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone())

    def run_info(self, ref: str | int) -> dict:
        """Inputs, rule packs, reference data and payer profiles of a run, as lists of dicts."""
        run_id = self.resolve(ref)

        def rows(sql: str, keys: tuple) -> list[dict]:
            return [dict(zip(keys, r)) for r in self.db.execute(sql, (run_id,))]

        return {
            "inputs": rows("SELECT path, sha256 FROM run_inputs WHERE run_id = ? ORDER BY seq", ("path", "sha256")),
            "rulesets": rows("SELECT ruleset_id, version, sha256 FROM run_rulesets WHERE run_id = ? ORDER BY seq",
                             ("id", "version", "sha256")),
            "refdata": rows("SELECT kind, edition, sha256 FROM run_refdata WHERE run_id = ? ORDER BY seq",
                            ("kind", "edition", "sha256")),
            "payer_profiles": rows("SELECT profile_id, sha256 FROM run_payer_profiles WHERE run_id = ? ORDER BY seq",
                                   ("id", "sha256")),
            "errors": rows("SELECT kind, message, path, segment FROM run_errors WHERE run_id = ? ORDER BY seq",
                           ("kind", "message", "path", "segment")),
        }

    def findings(self, ref: str | int) -> list[FindingRow]:
        """Every finding of a run, in the order the run produced them."""
        run_id = self.resolve(ref)
        sql = ("SELECT f.claim_seq, c.claim_id, c.source_path, f.rule_id, f.severity, f.category, f.message, f.line,"
               " f.location_path, f.location_segment, f.codes FROM findings f JOIN claims c"
               " ON c.run_id = f.run_id AND c.seq = f.claim_seq WHERE f.run_id = ? ORDER BY f.claim_seq, f.seq")
        return [FindingRow(*row[:10], tuple(json.loads(row[10]))) for row in self.db.execute(sql, (run_id,))]

    def claims(self, ref: str | int) -> list[dict]:
        run_id = self.resolve(ref)
        cur = self.db.execute("SELECT * FROM claims WHERE run_id = ? ORDER BY seq", (run_id,))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur]
