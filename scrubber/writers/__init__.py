"""Writers of claim files (as opposed to reports): the clean / held X12 837 split."""
