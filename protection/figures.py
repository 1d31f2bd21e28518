"""Published figures with small counts suppressed, so that no count can single people out.

A cross-tabulation of people, incidents, cases or referrals is published with its totals along
every dimension. A count from 1 to ``PROTECTION_SMALL_COUNT_THRESHOLD - 1`` (default 5) could
point at a handful of identifiable people, so it is shown as "<5" (primary suppression). Since
every line of the table (the cells that vary along one dimension, and their total) adds up, a
line with exactly one hidden cell gives it away by subtraction; in each such line the smallest
other non-zero cell is hidden too (secondary, complementary suppression), preferring inner
cells over totals, until no line has exactly one hidden cell. Zero is shown: it singles nobody
out, and a zero that stood in as a complement would hide nothing.

The table holds the totals as cells whose coordinate along a dimension is ``TOTAL``, so that
``table[("camp-a", TOTAL)]`` is the total of site camp-a across the second dimension and
``table[(TOTAL, TOTAL)]`` the grand total. A suppressed cell keeps no count: what leaves this
module cannot leak the value it hides.
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

# The coordinate of a total along a dimension ("all values"), in keys and in published output.
TOTAL = "*"

DEFAULT_SMALL_COUNT_THRESHOLD = 5

CellKey = tuple[str, ...]


def small_count_threshold() -> int:
    """Return the count under which a figure is not published (setting, default 5, at least 2)."""
    value = getattr(settings, "PROTECTION_SMALL_COUNT_THRESHOLD", DEFAULT_SMALL_COUNT_THRESHOLD)
    return max(2, int(value))


class Suppression(enum.StrEnum):
    """Why a figure is hidden."""

    PRIMARY = "primary"  # the count itself is small
    SECONDARY = "secondary"  # hidden so that a small count cannot be found by subtraction


@dataclass(frozen=True, slots=True)
class Figure:
    """One published cell: its count, or why it is hidden."""

    key: CellKey
    count: int | None
    suppression: Suppression | None
    threshold: int

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    @property
    def is_total(self) -> bool:
        return TOTAL in self.key

    @property
    def display(self) -> str:
        """Return the figure as a reader sees it: the count, or "<5" when hidden."""
        return f"<{self.threshold}" if self.count is None else str(self.count)


@dataclass(frozen=True, slots=True)
class SuppressedTable:
    """A cross-tabulation ready to publish: every non-zero cell and every total, suppressed."""

    dimensions: tuple[str, ...]
    threshold: int
    figures: Mapping[CellKey, Figure]

    def __getitem__(self, key: CellKey) -> Figure:
        """Return the figure at key; a cell nobody was counted in is a published zero."""
        if len(key) != len(self.dimensions):
            raise KeyError(key)
        found = self.figures.get(tuple(key))
        if found is None:
            return Figure(key=tuple(key), count=0, suppression=None, threshold=self.threshold)
        return found

    def __iter__(self) -> Iterator[Figure]:
        """Yield the figures in a stable order: inner cells first, then totals, by key."""
        return iter(sorted(self.figures.values(), key=_order))

    def __len__(self) -> int:
        return len(self.figures)

    @property
    def grand_total(self) -> Figure:
        return self[(TOTAL,) * len(self.dimensions)]

    def cells(self) -> list[Figure]:
        """Return the inner (non-total) figures, in a stable order."""
        return [figure for figure in self if not figure.is_total]

    def totals(self) -> list[Figure]:
        """Return the figures of totals (any coordinate is TOTAL), in a stable order."""
        return [figure for figure in self if figure.is_total]

    def values(self, dimension: str) -> list[str]:
        """Return the values a dimension takes in this table, sorted, totals left out."""
        index = self.dimensions.index(dimension)
        return sorted({key[index] for key in self.figures if key[index] != TOTAL})

    def suppressed_count(self) -> int:
        return sum(1 for figure in self.figures.values() if figure.suppressed)


def _order(figure: Figure) -> tuple[int, CellKey]:
    return (sum(1 for part in figure.key if part == TOTAL), figure.key)


def _with_totals(counts: Mapping[CellKey, int], width: int) -> dict[CellKey, int]:
    """Return every non-zero cell and every total it adds to (2**width keys per cell at most)."""
    extended: dict[CellKey, int] = defaultdict(int)
    for key, count in counts.items():
        if count == 0:
            continue
        for mask in itertools.product((False, True), repeat=width):
            total_key = tuple(TOTAL if hide else part for part, hide in zip(key, mask, strict=True))
            extended[total_key] += count
    return dict(extended)


def _lines_of(keys: Sequence[CellKey], width: int) -> dict[tuple[int, CellKey], list[CellKey]]:
    """Group the keys into lines: cells that differ along one dimension only, and their total."""
    lines: dict[tuple[int, CellKey], list[CellKey]] = defaultdict(list)
    for key in keys:
        for dimension in range(width):
            lines[(dimension, key[:dimension] + key[dimension + 1 :])].append(key)
    return lines


def suppress(
    counts: Mapping[Any, int],
    *,
    dimensions: Sequence[str],
    threshold: int | None = None,
) -> SuppressedTable:
    """Return the table of counts with its totals, small counts and their complements hidden.

    counts maps a key (a tuple of one value per dimension; values are published as strings) to
    a count; keys equal as strings are added up.
    The result holds every non-zero cell and every total along every dimension.
    """
    limit = small_count_threshold() if threshold is None else max(2, threshold)
    width = len(dimensions)
    if width == 0:
        raise ValueError("A table has at least one dimension.")
    normalised: dict[CellKey, int] = {}
    for raw_key, count in counts.items():
        key = tuple(str(part) for part in raw_key)
        if len(key) != width or TOTAL in key:
            raise ValueError(f"Key {key!r} does not fit the dimensions {tuple(dimensions)!r}.")
        if count < 0:
            raise ValueError(f"Count {count} at {key!r} is negative.")
        normalised[key] = normalised.get(key, 0) + int(count)

    extended = _with_totals(normalised, width)
    reasons: dict[CellKey, Suppression] = {
        key: Suppression.PRIMARY for key, count in extended.items() if 0 < count < limit
    }
    lines = _lines_of(list(extended), width)
    lines_of_key: dict[CellKey, list[tuple[int, CellKey]]] = defaultdict(list)
    for line_id, members in lines.items():
        for member in members:
            lines_of_key[member].append(line_id)

    pending = {line_id for key in reasons for line_id in lines_of_key[key]}
    while pending:
        line_id = pending.pop()
        members = lines[line_id]
        hidden = [member for member in members if member in reasons]
        if len(hidden) != 1:
            continue
        candidates = [
            member for member in members if member not in reasons and extended[member] > 0
        ]
        # Never empty: a hidden count is not zero, so its line holds its non-zero total (when
        # the hidden one is a cell) or its non-zero parts (when it is the total), still shown.
        dimension = line_id[0]
        complement = min(
            candidates,
            key=lambda member: (member[dimension] == TOTAL, extended[member], member),
        )
        reasons[complement] = Suppression.SECONDARY
        pending.update(lines_of_key[complement])

    figures = {
        key: Figure(
            key=key,
            count=None if key in reasons else count,
            suppression=reasons.get(key),
            threshold=limit,
        )
        for key, count in extended.items()
    }
    return SuppressedTable(dimensions=tuple(dimensions), threshold=limit, figures=figures)
