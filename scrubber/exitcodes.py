"""Exit codes, as DESIGN.md documents them. Scripts depend on these: never renumber."""

OK = 0  # nothing at or above --fail-on
FINDINGS = 1  # findings at or above --fail-on
USAGE = 2  # usage, configuration, rule-file or reference-data error
