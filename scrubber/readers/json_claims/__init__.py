"""JSON claims reader (placeholder until the schema lands)."""
from scrubber.readers.json_claims.reader import read_json

__all__ = ["read_json"]
