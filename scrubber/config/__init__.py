"""Configuration: payer profiles and layered run settings, each value with its origin.

Order, lowest first: packaged defaults < payer profile < ``setup.cfg [claimscrub]``
or ``claimscrub.toml`` < environment (``CLAIMSCRUB_*``) < command line. See
``settings.py`` for the run settings and ``profiles.py`` for profile resolution.

Public API::

    load_profiles(dirs=None, settings=None) -> ProfileSet      # raises ConfigError
    ProfileSet.for_claim(claim, forced=None) -> Profile
    Profile.context(coverage=None, claim=None, filed=None) -> ClaimContext
    Profile.rule_status(rule_id, pack, default_severity) -> (enabled, severity)
    Profile.id, Profile.sha256
    load_settings(cwd=None, env=None, cli=None) -> Settings     # raises ConfigError
    timely_filing_deadline(dos, params, prior_adjudication=None) -> date
    claim_context(profiles, claim, forced=None, eligibility=None, filed=None) -> ClaimContext
    FrequencyTracker().check_and_add(claim, params["frequency_limits"], resolve=None) -> [over-limit lines]
"""
from scrubber.fields.payer_params import (  # noqa: F401
    add_months,
    member_id_matches,
    payer_facts,
    timely_filing_deadline,
)
from scrubber.config.profiles import ConfigError, Profile, Valued  # noqa: F401
from scrubber.fields.frequency import FrequencyTracker  # noqa: F401
from scrubber.config.profileset import ProfileSet, claim_context, load_profiles  # noqa: F401
from scrubber.config.settings import Settings, load_settings  # noqa: F401
