"""Arrow record batches regrouped to a fixed size, shared by ``ara calc`` and ``ara validate``."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa


def rebatch(batches: Iterator[pa.RecordBatch], size: int) -> Iterator[pa.Table]:
    """Regroup record batches of any size into tables of exactly ``size`` rows (the last may
    be shorter), slicing without copies."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in batches:
        while batch.num_rows:
            take = min(size - count, batch.num_rows)
            pending.append(batch.slice(0, take))
            count += take
            batch = batch.slice(take)
            if count == size:
                yield pa.Table.from_batches(pending)
                pending, count = [], 0
    if pending:
        yield pa.Table.from_batches(pending)
