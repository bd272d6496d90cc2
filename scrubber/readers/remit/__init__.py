"""835 remittance readers: bytes in, ``ClaimPayment`` records out (see ``x835``)."""
from __future__ import annotations

from typing import Iterable, Iterator

from scrubber.readers.remit.model import Adjustment, ClaimPayment, ServicePayment  # noqa: F401
from scrubber.readers.remit.x835 import Record, read_835, read_remit_file  # noqa: F401


def iter_remits(paths: Iterable[str]) -> Iterator[Record]:
    """Claim payments and problems of every 835 under ``paths`` (directories walked like claim inputs)."""
    from scrubber.readers import input_files

    for path in input_files(paths):
        yield from read_remit_file(path)
