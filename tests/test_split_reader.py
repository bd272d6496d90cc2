"""The clean / held split read back by the real X12 reader (scrubber.readers), on the corpus."""
from __future__ import annotations

import dataclasses

from test_split import ERROR, corpus_837_files, result_for

from scrubber.writers.x12_split import SplitWriter


def test_round_trip_on_the_corpus_read_back_by_the_real_reader(corpus_dir, tmp_path):
    """Split with the RawClaims the real reader keeps; the reader reads the same claims back, error-free."""
    from scrubber.model import ClaimRecord
    from scrubber.readers import iter_records

    def read(path):
        recs = list(iter_records([str(path)]))
        claims = [r for r in recs if isinstance(r, ClaimRecord) and r.claim is not None]
        errors = [r for r in recs if not isinstance(r, ClaimRecord)]
        return claims, errors

    for path in corpus_837_files(corpus_dir):
        records, _ = read(path)
        assert records, path.name
        clean, held = tmp_path / "clean.837", tmp_path / "held.837"
        with SplitWriter(str(clean), str(held), control_start=1) as writer:
            for i, rec in enumerate(records):
                writer.add(rec, result_for(rec, (ERROR,) if i % 2 else ()))
        expected = [dataclasses.replace(r.claim, source=None) for r in records]
        for out, part in ((clean, expected[0::2]), (held, expected[1::2])):
            back, errors = read(out)
            assert errors == [], (path.name, errors[:3])
            assert [dataclasses.replace(r.claim, source=None) for r in back] == part, path.name


def test_every_corpus_file_even_broken_ones_splits_into_valid_interchanges(corpus_dir, tmp_path):
    """Whatever the reader could keep is written validly; the rest is set aside with a reason."""
    from x12_testkit import envelope_problems

    from scrubber.model import ClaimRecord
    from scrubber.readers import iter_records

    for path in sorted(corpus_dir.iterdir()):
        if path.suffix == ".json":
            continue
        records = [r for r in iter_records([str(path)]) if isinstance(r, ClaimRecord)]
        clean, held = tmp_path / "clean.837", tmp_path / "held.837"
        with SplitWriter(str(clean), str(held), control_start=1) as writer:
            for i, rec in enumerate(records):
                writer.add(rec, result_for(rec, (ERROR,) if i % 2 else (), unreadable=rec.claim is None))
            summary = writer.close()
        assert summary.clean_claims + summary.held_claims + len(summary.set_aside) == len(records), path.name
        for out in (clean, held):
            text = out.read_text()
            if text:
                assert envelope_problems(text) == [], path.name
