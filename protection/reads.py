"""The one place that logs reads: selectors call it for the records they hand out.

A selector that returns one sensitive record (person, household, case or a part of it,
referral, incident) logs it with a purpose; a page selector logs the rows of the page a list
shows, never the rest of its query, in one insert. Views never log: they cannot forget to.

The purpose says why the record was shown (opened, listed, found by a search, shown as a
possible duplicate, exported). How it was reached is the log's channel column (web page, API,
admin, task, command), so there is no "api" purpose: an API read is a detail, list or search
read with channel "api".
"""

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet

from protection.audit import access_log_record
from protection.models import AccessPurpose, RecordPart
from protection.pagination import KeysetPage

if TYPE_CHECKING:
    from protection.accounts.models import User

PageT = TypeVar("PageT")
ModelT = TypeVar("ModelT", bound=Model)

# Filters whose value is free text typed by the user: a list narrowed by one is a search.
TEXT_QUERY_FILTERS = ("q",)


def list_purpose(filters: Mapping[str, Any] | None) -> AccessPurpose:
    """Return SEARCH for a list narrowed by a typed name or number, else LIST."""
    if filters and any(str(filters.get(name) or "").strip() for name in TEXT_QUERY_FILTERS):
        return AccessPurpose.SEARCH
    return AccessPurpose.LIST


def log_read(
    *,
    user: "User",
    objects: Iterable[Model],
    purpose: str,
    part: str = RecordPart.WHOLE,
) -> int:
    """Log that the user read each record once (no query when there is none); return the count."""
    unique: dict[tuple[str, Any], Model] = {}
    for obj in objects:
        unique.setdefault((obj._meta.label_lower, obj.pk), obj)
    if not unique:
        return 0
    return access_log_record(user=user, objects=unique.values(), purpose=purpose, part=part)


def rows_of(page: Any) -> list[Any]:
    """Return the rows a page shows: a keyset page's items, or a paginator's list."""
    if isinstance(page, KeysetPage):
        return list(page.items)
    return list(page or [])


def page_read(
    queryset: "QuerySet[ModelT]",
    *,
    user: "User",
    paginate: Callable[["QuerySet[ModelT]"], PageT],
    shown: Callable[[list[ModelT]], Iterable[Model]],
    purpose: str,
) -> PageT:
    """Cut the page with `paginate` and log the records `shown` names on it, in one insert."""
    page = paginate(queryset)
    log_read(user=user, objects=shown(rows_of(page)), purpose=purpose)
    return page
