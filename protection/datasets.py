"""The datasets the apps offer for export and statistics, registered like the access scopes.

The foundation writes files and suppresses figures but knows no app's models: each app hands it,
from its AppConfig.ready, what one of its lists can give (`register_dataset`):

- `figures`, the aggregated table (a count per combination of dimensions) that the default
  export and /api/v1/statistics/ publish, small counts suppressed (protection.figures);
- `listing`, the individual-level rows, for the roles allowed to export them, with the columns
  (header and HXL hashtag) and the fields read per row.

Both start from the access policy and are narrowed by the list page's own FilterSet, so that
an export holds what the list showed and nothing another agency owns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Model, QuerySet
from django.http import QueryDict
from django_filters import FilterSet

from protection.exporting import Column
from protection.figures import TOTAL, SuppressedTable, suppress
from protection.roles import Action

if TYPE_CHECKING:
    from protection.accounts.models import User

# Rows read per query of an individual export (keyset, newest first).
LISTING_CHUNK = 2000


@dataclass(frozen=True)
class Dimension:
    """One dimension of a table of figures: its key in the API, its header and hashtag."""

    name: str
    label: Any
    hxl: str


@dataclass(frozen=True)
class Figures:
    """An aggregated table: the rows it counts for a user, and how to count them."""

    dimensions: tuple[Dimension, ...]
    count_label: Any
    count_hxl: str
    # The rows counted for the user (access.figures_for), before the filters.
    rows: Callable[[User], QuerySet[Any]]
    # A count per key (one value per dimension) of the filtered rows.
    count: Callable[[QuerySet[Any]], Mapping[tuple[str, ...], int]]


@dataclass(frozen=True)
class Listing:
    """Individual-level rows: who may export which of them, and what each row holds.

    Each column names the field it is read from, so that a header can never drift from its
    values; `extra_fields` are read after them for a `render` of the dataset's own, which turns
    a chunk of (pk, *fields) tuples into the rows written (and may query once per chunk).
    Without one, a row is the columns' values, each converted where its column says.
    """

    model: type[Model]
    columns: tuple[Column, ...]
    # The records the user may export individually (a narrowing of what they may list).
    rows: Callable[[User], QuerySet[Any]]
    extra_fields: tuple[str, ...] = ()
    render: Callable[[list[tuple[Any, ...]]], list[Sequence[Any]]] | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields read per record with values_list, after the primary key."""
        return (*(column.field for column in self.columns if column.field), *self.extra_fields)

    def render_chunk(self, chunk: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
        """Return the rows written for a chunk of (pk, *fields) tuples."""
        if self.render is not None:
            return self.render(chunk)
        converts = [
            (index, column.convert)
            for index, column in enumerate(self.columns)
            if column.convert is not None
        ]
        rows: list[Sequence[Any]] = []
        for record in chunk:
            values = list(record[1:])
            for index, convert in converts:
                values[index] = convert(values[index])
            rows.append(values)
        return rows


def count_by(
    queryset: QuerySet[Any],
    *fields: str,
    key: Callable[..., tuple[str, ...]] | None = None,
    distinct: bool = False,
    counted: str = "id",
) -> dict[tuple[str, ...], int]:
    """Count the rows per combination of fields' values: one GROUP BY query.

    `key` turns the values read into the figure's key (several groups may share one, and their
    counts add up); `distinct` counts each record once where a join could repeat it;
    `counted` names what is counted (an annotation, such as the event several reports share).
    """
    groups = (
        queryset.order_by().values_list(*fields).annotate(number=Count(counted, distinct=distinct))
    )
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for *values, number in groups:
        counts[key(*values) if key is not None else tuple(values)] += number
    return dict(counts)


@dataclass(frozen=True)
class Dataset:
    """What one list of an app gives to exports and statistics."""

    name: str
    title: Any
    view_action: Action  # the action needed to open the list and its export page
    filterset: type[FilterSet]
    list_url: str  # the route name of the list page
    figures: Figures | None = None
    listing: Listing | None = None
    statistic: str = ""  # the name under /api/v1/statistics/, blank for none
    filterset_takes_user: bool = False  # a FilterSet with filters of the user's own ("mine")


_DATASETS: dict[str, Dataset] = {}


def register_dataset(dataset: Dataset) -> None:
    """Register an app's dataset (called once, from its AppConfig.ready)."""
    _DATASETS[dataset.name] = dataset


def dataset(name: str) -> Dataset:
    """Return the dataset registered under name; KeyError when there is none."""
    return _DATASETS[name]


def datasets() -> list[Dataset]:
    return sorted(_DATASETS.values(), key=lambda item: item.name)


def statistics() -> dict[str, Dataset]:
    """Return the datasets published under /api/v1/statistics/, by statistic name."""
    return {item.statistic: item for item in datasets() if item.statistic and item.figures}


def filtered(
    data: Dataset, queryset: QuerySet[Any], filters: Mapping[str, Any], *, user: User
) -> QuerySet[Any]:
    """Narrow queryset by the dataset's FilterSet; FilterError with the errors when invalid."""
    extra = {"user": user} if data.filterset_takes_user else {}
    query = QueryDict(mutable=True)
    for name, value in filters.items():
        query.setlist(name, [str(item) for item in value] if isinstance(value, list) else [value])
    filterset = data.filterset(query, queryset=queryset, **extra)
    if not filterset.is_valid():
        raise FilterError(filterset.errors)
    return filterset.qs


class FilterError(ValueError):
    """A filter of the list was refused: its field errors, as the FilterSet gives them."""

    def __init__(self, errors: Mapping[str, Any]) -> None:
        super().__init__("invalid filters")
        self.errors = {name: [str(message) for message in list_] for name, list_ in errors.items()}


def figures_table(
    data: Dataset, *, user: User, filters: Mapping[str, Any], threshold: int | None = None
) -> SuppressedTable:
    """Return the dataset's figures for the user, filtered, small counts suppressed."""
    if data.figures is None:
        raise ImproperlyConfigured(f"Dataset {data.name!r} has no figures.")
    rows = filtered(data, data.figures.rows(user), filters, user=user)
    counts = data.figures.count(rows)
    names = tuple(dimension.name for dimension in data.figures.dimensions)
    return suppress(counts, dimensions=names, threshold=threshold)


def figures_columns(figures: Figures) -> tuple[Column, ...]:
    return (
        *(Column(dimension.label, dimension.hxl) for dimension in figures.dimensions),
        Column(figures.count_label, figures.count_hxl),
    )


def figures_rows(table: SuppressedTable, *, total_label: str) -> Iterator[list[Any]]:
    """Yield one row per published figure: its key (totals named), then the figure as shown."""
    for figure in table:
        key = [total_label if part == TOTAL else part for part in figure.key]
        yield [*key, figure.count if figure.count is not None else figure.display]


def listing_chunks(
    queryset: QuerySet[Any], fields: Sequence[str]
) -> Iterator[list[tuple[Any, ...]]]:
    """Yield the rows (pk, *fields), newest first, LISTING_CHUNK at a time, by keyset on pk.

    Each chunk is one query that starts below the last key read, so memory and the time per
    chunk stay flat over a million rows (no OFFSET, no server-side cursor held open).
    """
    ordered = queryset.order_by("-pk")
    last: Any = None
    while True:
        page = ordered if last is None else ordered.filter(pk__lt=last)
        chunk = list(page.values_list("pk", *fields)[:LISTING_CHUNK])
        if not chunk:
            return
        yield chunk
        if len(chunk) < LISTING_CHUNK:
            return
        last = chunk[-1][0]
