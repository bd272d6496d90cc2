"""The compact batch index: the same answers as a dict, in a fraction of its memory."""
from __future__ import annotations

import random
import sys

from scrubber.model.digest_index import DigestIndex, IdStore


def test_the_index_answers_as_a_dict_with_first_value_wins_through_many_resizes():
    rng = random.Random(7)
    index, model = DigestIndex(), {}
    keys = [rng.getrandbits(64) for _ in range(60_000)]
    # digests that share a shard and a home slot (probing), and the digest 0 (stored as 1)
    keys += [(j << 40) | 0x2A for j in range(1, 300)] + [0]
    for n, h in enumerate(keys + keys[:5000]):  # the repeats must keep their first value
        assert index.setdefault(h, n % 1000) == model.setdefault(h or 1, n % 1000)
    assert len(index) == len(model)
    for h, v in model.items():
        assert index.get(h) == v
    for _ in range(20_000):
        h = rng.getrandbits(64)
        assert index.get(h) == model.get(h or 1, -1)
    assert dict(index.items()) == model


def test_an_entry_costs_a_small_fraction_of_a_dict_of_digests_to_claim_ids():
    rng = random.Random(3)
    index = DigestIndex()
    n = 200_000
    for k in range(n):
        index.setdefault(rng.getrandbits(64), k // 3)
    per_entry = index.nbytes() / n
    as_dict = {rng.getrandbits(128).to_bytes(16, "little"): f"CLM{k // 3:09d}" for k in range(2000)}
    dict_per_entry = (sys.getsizeof(as_dict) + sum(sys.getsizeof(b) for b in as_dict)) / len(as_dict)
    assert per_entry <= 32, per_entry  # 12-byte slots at a load factor between 3/8 and 3/4
    assert dict_per_entry > 3 * per_entry, (dict_per_entry, per_entry)


def test_claim_ids_round_trip_and_none_stays_apart_from_the_empty_string():
    ids = IdStore()
    texts = ["MADE-UP-1", None, "", "é-MADE-UP", "x" * 300, None, "\udcff"]
    numbers = [ids.append(t) for t in texts]
    assert numbers == list(range(len(texts)))
    assert [ids[k] for k in numbers] == texts


def test_claim_ids_stay_whole_when_the_offsets_widen_past_4_gib(monkeypatch):
    monkeypatch.setattr(IdStore, "WIDEN_AT", 40)  # widening at 4 GiB, met after a few ids here
    ids = IdStore()
    texts = [f"MADE-UP-{k}" if k % 3 else None for k in range(20)]
    numbers = [ids.append(t) for t in texts]
    assert ids._ends.typecode == "Q"  # widened on the way
    assert [ids[k] for k in numbers] == texts
