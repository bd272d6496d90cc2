"""claimscrub: rules-based claim scrubber and compliance auditor."""

__version__ = "0.1.0"
