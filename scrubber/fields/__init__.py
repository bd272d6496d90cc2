"""The field vocabulary: every derived field, pair relation and value-set provider rules read.

This stage sits below both the rule language (``scrubber.rulespec``: lint checks field names
against ``registry.DERIVED``) and the engine (which computes the fields per fact), and imports
neither at module level. Each module registers with the decorators of ``registry``; this file
imports every one of them statically, so importing anything from ``scrubber.fields`` registers
the whole vocabulary (no string imports, no package scan). A new module is added to the list.

Modules: ``builtin`` (claim totals, ages, pointers, NPI, simple ICD-10-CM), ``coding`` (coding,
modifiers and integrity packs), ``ncci`` (NCCI PTP, MUE, duplicates), ``mpfs`` (physician fee schedule indicators), ``policies``
(coverage policies' diagnosis lists), ``payer`` (payer-policy
pack: timely filing, member id, prior authorization, frequency), ``coverage`` (eligibility pack's
coverage fact); and their logic without registrations: ``common``, ``payer_params``,
``frequency``, ``eligibility``.
"""
# In the order the registries have always been filled (built-ins, then the former extension modules
# alphabetically), so listings and fact layouts keep their order.
from scrubber.fields import builtin  # noqa: F401
from scrubber.fields import policies  # noqa: F401
from scrubber.fields import coding  # noqa: F401
from scrubber.fields import ncci  # noqa: F401
from scrubber.fields import payer  # noqa: F401
from scrubber.fields import coverage  # noqa: F401
from scrubber.fields import mpfs  # noqa: F401
