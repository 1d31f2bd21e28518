"""Published figures: no small count is shown, and none can be found back by subtraction."""

import random
from collections.abc import Mapping

import pytest
from django.test import override_settings

from protection.figures import TOTAL, SuppressedTable, Suppression, small_count_threshold, suppress

CellKey = tuple[str, ...]


def _recover_by_subtraction(table: SuppressedTable, true: Mapping[CellKey, int]) -> set[CellKey]:
    """Play the reader who owns the published table: solve every line with one hidden figure,
    again and again, and return the hidden keys found back."""
    width = len(table.dimensions)
    known = {figure.key: figure.count for figure in table if figure.count is not None}
    hidden = {figure.key for figure in table if figure.count is None}
    lines: dict[tuple[int, CellKey], list[CellKey]] = {}
    for key in list(known) + list(hidden):
        for dimension in range(width):
            lines.setdefault((dimension, key[:dimension] + key[dimension + 1 :]), []).append(key)
    found: set[CellKey] = set()
    progress = True
    while progress:
        progress = False
        for (dimension, _rest), members in lines.items():
            unknown = [member for member in members if member not in known]
            if len(unknown) != 1:
                continue
            missing = unknown[0]
            parts = [member for member in members if member[dimension] != TOTAL]
            total = next(member for member in members if member[dimension] == TOTAL)
            if missing == total:
                value = sum(known[member] for member in parts)
            else:
                value = known[total] - sum(known[m] for m in parts if m != missing)
            assert value == true[missing]  # the attack is sound: it finds the true count
            known[missing] = value
            found.add(missing)
            progress = True
    return found & hidden


def _true_counts(counts: Mapping[CellKey, int], width: int) -> dict[CellKey, int]:
    full: dict[CellKey, int] = {}
    for key, count in counts.items():
        for mask in range(2**width):
            total_key = tuple(TOTAL if mask >> i & 1 else part for i, part in enumerate(key))
            full[total_key] = full.get(total_key, 0) + count
    return full


def test_a_small_count_is_shown_as_below_the_threshold_and_its_complement_is_hidden() -> None:
    counts: dict[CellKey, int] = {
        ("camp-a", "female"): 3,
        ("camp-a", "male"): 40,
        ("camp-b", "female"): 25,
        ("camp-b", "male"): 30,
    }
    table = suppress(counts, dimensions=("site", "sex"), threshold=5)
    small = table[("camp-a", "female")]
    assert small.count is None and small.display == "<5"
    assert small.suppression is Suppression.PRIMARY
    # Row camp-a (3 + 40 = 43) and column female (3 + 25 = 28) would give the 3 away.
    assert table[("camp-a", "male")].suppressed
    assert table[("camp-b", "female")].suppressed
    assert table[("camp-b", "male")].suppressed  # and so on round the rectangle
    assert table.grand_total.count == 98
    assert table[("camp-a", TOTAL)].count == 43
    assert _recover_by_subtraction(table, _true_counts(counts, 2)) == set()


def test_no_published_count_is_under_the_threshold_and_none_is_recovered() -> None:
    rng = random.Random(20261130)
    for round_ in range(60):
        width = rng.randint(1, 4)
        values = [[f"v{i}" for i in range(rng.randint(2, 5))] for _ in range(width)]
        counts: dict[CellKey, int] = {}
        for _ in range(rng.randint(1, 40)):
            key = tuple(rng.choice(axis) for axis in values)
            counts[key] = rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 12, 30, 200])
        table = suppress(counts, dimensions=[f"d{i}" for i in range(width)], threshold=5)
        true = _true_counts(counts, width)
        for figure in table:
            assert figure.count is None or figure.count == 0 or figure.count >= 5, round_
            if figure.count is not None:
                assert figure.count == true[figure.key]
        assert _recover_by_subtraction(table, true) == set(), round_


def test_the_totals_add_up_and_zeros_are_published() -> None:
    table = suppress(
        {("a", "x"): 10, ("a", "y"): 0, ("b", "x"): 7, ("b", "y"): 8},
        dimensions=("site", "sex"),
    )
    assert table.suppressed_count() == 0
    assert table[("a", "y")].count == 0
    assert table[("zzz", "x")].display == "0"  # nobody counted there
    assert table[(TOTAL, "x")].count == 17
    assert table[("b", TOTAL)].count == 15
    assert table.grand_total.count == 25
    assert [figure.key for figure in table.cells()] == [("a", "x"), ("b", "x"), ("b", "y")]
    assert table.values("sex") == ["x", "y"]


def test_a_small_total_is_hidden_with_its_parts() -> None:
    table = suppress({("a",): 2, ("b",): 1}, dimensions=("site",))
    assert table.grand_total.display == "<5"
    assert all(figure.count is None for figure in table)


def test_the_complement_is_the_smallest_other_cell_not_the_total() -> None:
    table = suppress({("a",): 3, ("b",): 50, ("c",): 8, ("d",): 0}, dimensions=("need",))
    assert table[("c",)].suppression is Suppression.SECONDARY
    assert table[("b",)].count == 50
    assert table.grand_total.count == 61
    assert table[("d",)].count == 0


@override_settings(PROTECTION_SMALL_COUNT_THRESHOLD=10)
def test_the_threshold_is_a_setting() -> None:
    assert small_count_threshold() == 10
    table = suppress({("a",): 7, ("b",): 40, ("c",): 12}, dimensions=("site",))
    assert table[("a",)].display == "<10"
    assert table[("c",)].suppressed


def test_a_key_that_does_not_fit_the_dimensions_is_refused() -> None:
    with pytest.raises(ValueError):
        suppress({("a",): 1}, dimensions=("site", "sex"))
    with pytest.raises(ValueError):
        suppress({(TOTAL,): 1}, dimensions=("site",))
    with pytest.raises(ValueError):
        suppress({("a",): -1}, dimensions=("site",))
