"""Drop a module here to register derived fields, table-backed value sets or pair relations.

Every module in this package is imported by ``scrubber.rulespec.registry.ensure_loaded()``
before rules are loaded, so its ``@derived_field`` / ``@valueset_provider`` / ``@pair_relation``
decorators run and lint knows the names. See ``scrubber/engine/derived.py`` for examples.
"""
