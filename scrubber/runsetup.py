"""Everything a scrub or audit run needs before the first claim is read, built in one place.

``prepare_run(settings, verify=False)`` loads, in order, the rule packs (fail closed:
every bad rule file is listed), the payer profiles (checked against the loaded rule ids),
the reference data, the eligibility files, and starts the engine. Any problem with
those is a ``SetupError`` holding every ``file:line`` problem, which the CLI turns into
exit code 2 before a single claim is scrubbed. ``PreparedRun.options(paths)`` then
gives the pipeline its evaluator, the per-claim context, and the run record
(rulesets, refdata editions, payer profiles) that the result and the ledger keep.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional


class SetupError(Exception):
    """Rule files, payer profiles, settings or reference data that cannot be used (exit 2)."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass
class PreparedRun:
    settings: Any
    packs: Any
    profiles: Any
    refdata: Any
    engine: Any
    eligibility: Any = None
    eligibility_errors: list = field(default_factory=list)
    forced_payer: Optional[str] = None
    _sources: dict = field(default_factory=dict, repr=False)  # profile id -> its source.<param> citations

    def context_for(self, claim):
        """The claim's context, plus what the payer rules quote: the profile's ``source.<param>``
        citations and, with eligibility files, what the file says (``enrich_coverage``).

        ``config.claim_context``'s context, made for every claim of a run (each worker makes one
        for every claim it commits): the citations are made once per profile, and the context is
        built once, with them, not copied to add them."""
        profile = self.profiles.for_claim(claim, self.forced_payer)
        coverage = None
        if self.eligibility is not None:
            from scrubber.fields.coverage import enrich_coverage

            coverage = enrich_coverage(claim, self.eligibility.check(claim), self.eligibility)
        sources = self._sources.get(profile.id)
        if sources is None:
            from scrubber.fields.payer import profile_source_params

            sources = self._sources[profile.id] = profile_source_params(profile)
        return profile.context(coverage=coverage, claim=claim, extra_params=sources)

    def run_record(self) -> dict:
        """What the run used, for the RunResult's ``run`` block and the ledger."""
        try:
            editions = list(self.refdata.editions()) if self.refdata is not None else []
        except Exception as exc:  # a broken store must not hide the run; it is reported as an error
            editions = [{"kind": "error", "edition": str(exc), "sha256": None}]
        profiles = [{"id": pid, "sha256": self.profiles.get(pid).sha256} for pid in self.profiles.ids()]
        from scrubber.idle import idle_rules

        return {
            "rulesets": self.engine.rulesets_info(),
            "refdata": editions,
            "payer_profiles": profiles,
            "rules_idle": idle_rules(self.packs.rules, self.refdata),
        }

    def options(self, paths: list[str], on_claim=None):
        from scrubber.pipeline import ScrubOptions

        _share_json_validator(paths)
        record = self.run_record()
        return ScrubOptions(
            paths=list(paths),
            payer_profile=self.forced_payer or "auto",
            evaluator=self.engine,
            context_for=self.context_for,
            on_claim=on_claim,
            rulesets=record["rulesets"],
            refdata=record["refdata"],
            run_extra={"payer_profiles": record["payer_profiles"], "rules_idle": record["rules_idle"],
                       "eligibility": list(self.settings.get("eligibility") or ())},
            initial_errors=list(self.eligibility_errors),
        )

    def count_frequency_with(self, tracker) -> None:
        """Frequency limits count with ``tracker`` (seeded with a ledger's history) in this run."""
        from scrubber.fields.payer import use_frequency_tracker

        use_frequency_tracker(self.engine.batch, tracker)

    def close(self) -> None:
        close = getattr(self.engine, "close", None)
        if close is not None:
            close()


def _share_json_validator(paths) -> None:
    """JSON claims are checked with jsonschema (``readers.json_claims``) by every worker that reads
    them, and nothing else in a run needs it any more (``rulespec.schemacheck``): when an input starts
    like JSON it is imported here, once, before the workers fork, so they share it (~45 ms CPU per
    worker otherwise). Only a warm-up: the readers decide what each file is."""
    from scrubber.readers import input_files

    for path in input_files(paths):
        try:
            with open(path, "rb") as f:
                head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        except OSError:  # stdin ("-"), a missing file: the reader reports it
            continue
        if head[:1] in (b"{", b"["):
            import jsonschema  # noqa: F401

            return


def load_run_settings(cli: dict):
    """The layered settings (defaults < project file < environment < command line)."""
    from scrubber.config import ConfigError, load_settings

    try:
        return load_settings(cli={k: v for k, v in cli.items() if v not in (None, ())})
    except ConfigError as exc:
        raise SetupError(exc.problems) from exc


def prepare_run(settings, verify: bool = False, workers: Optional[int] = None) -> PreparedRun:
    from scrubber.config import ConfigError, load_profiles
    from scrubber.engine import Engine
    from scrubber.readers.eligibility import load_eligibility
    from scrubber.refdata import RefDataError, open_refdata
    from scrubber.rulespec import RuleLoadError, default_rule_dirs, load_packs

    problems: list[str] = []
    dirs = list(default_rule_dirs()) + [Path(p) for p in (settings.get("rules") or ())]
    packs = None
    try:
        packs = load_packs(dirs)
    except RuleLoadError as exc:
        problems.extend(exc.problems)
    profiles = None
    try:
        profiles = load_profiles(settings=settings)
        if packs is not None:
            profiles.check_rules([r.id for r in packs.rules], [p.id for p in packs.packs])
        forced = settings.get("payer")
        if forced:
            profiles.get(forced)
    except ConfigError as exc:
        problems.extend(exc.problems)
    if packs is not None and profiles is not None:
        from scrubber.fields.payer import profile_valueset_problems

        problems.extend(profile_valueset_problems(profiles, packs.valuesets))
    if problems:
        raise SetupError(problems)
    try:
        refdata = open_refdata(settings.get("data_dir"))
    except RefDataError as exc:
        raise SetupError([str(exc)]) from exc
    eligibility, elig_errors = None, []
    if settings.get("eligibility"):
        eligibility, elig_errors = load_eligibility(list(settings.get("eligibility")))
    engine = Engine(packs, refdata=refdata, verify=verify, workers=workers)
    return PreparedRun(
        settings=settings,
        packs=packs,
        profiles=profiles,
        refdata=refdata,
        engine=engine,
        eligibility=eligibility,
        eligibility_errors=elig_errors,
        forced_payer=settings.get("payer"),
    )
