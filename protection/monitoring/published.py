"""Counts as the viewer may see them: exact, or with small counts suppressed.

Suppression is protection.figures' (primary and complementary, totals included); a viewer who
may see the records themselves gets the same table shape with every count shown.
"""

import itertools
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import cast

from protection.figures import TOTAL, Figure, SuppressedTable, small_count_threshold, suppress

__all__ = ["TOTAL", "Figure", "SuppressedTable", "publish", "small_count_threshold"]


def publish(
    counts: Mapping[tuple[str, ...], int], *, dimensions: Sequence[str], exact: bool
) -> SuppressedTable:
    """Return the counts with their totals, suppressed unless the viewer sees them exactly."""
    if not exact:
        return suppress(cast("Mapping[Sequence[str], int]", counts), dimensions=dimensions)
    width = len(dimensions)
    threshold = small_count_threshold()
    extended: dict[tuple[str, ...], int] = defaultdict(int)
    for raw_key, count in counts.items():
        key = tuple(str(part) for part in raw_key)
        if count == 0:
            continue
        for mask in itertools.product((False, True), repeat=width):
            extended[tuple(TOTAL if hide else p for p, hide in zip(key, mask, strict=True))] += (
                count
            )
    figures = {
        key: Figure(key=key, count=count, suppression=None, threshold=threshold)
        for key, count in extended.items()
    }
    return SuppressedTable(dimensions=tuple(dimensions), threshold=threshold, figures=figures)
