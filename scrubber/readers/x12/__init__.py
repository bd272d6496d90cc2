"""X12 837P / 837I reader (005010X222A1/A2, 005010X223A2/A3; 004010 and 837D read on a best-effort basis).

``read_x12(chunks, path)`` yields ClaimRecords and RunErrors for one file given as an
iterable of byte chunks. Structure rule ids and the location-path scheme are documented
in ``rules.py``.
"""
from scrubber.readers.x12.reader import read_x12

__all__ = ["read_x12"]
