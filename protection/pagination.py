"""Keyset pagination: pages are found by the last id seen, never by OFFSET or COUNT(*).

The API uses DRF's cursor pagination on the id; the pages use `keyset_page`, which reads one
row more than it shows to know whether a next page exists.
"""

from dataclasses import dataclass
from typing import Generic, TypeVar

from django.db.models import Model, QuerySet
from rest_framework.pagination import CursorPagination

ModelT = TypeVar("ModelT", bound=Model)


class IdCursorPagination(CursorPagination):
    """Newest first by id; the cursor is opaque to clients."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


@dataclass
class KeysetPage(Generic[ModelT]):
    items: list[ModelT]
    next_after: int | None
    after: int | None


def keyset_page(
    queryset: QuerySet[ModelT], *, after: str | None, size: int = 50
) -> KeysetPage[ModelT]:
    """Return the rows after the id `after` (newest first), and the cursor of the next page."""
    position: int | None = None
    if after and after.isdigit():
        position = int(after)
        queryset = queryset.filter(pk__lt=position)
    rows = list(queryset.order_by("-pk")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        items=rows, next_after=rows[-1].pk if has_more and rows else None, after=position
    )
