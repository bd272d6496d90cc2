"""Denial correlation: audited claims joined to their 835 remittances; figures, no report code."""
