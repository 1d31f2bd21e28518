"""Keyset pages for the registry lists (the helpers every page shares are in protection.pages)."""

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest

from protection.pages import PAGE_SIZE
from protection.pagination import KeysetPage, keyset_page


def keyset_pager(
    request: HttpRequest, size: int = PAGE_SIZE
) -> Callable[[QuerySet[Any]], KeysetPage[Model]]:
    """Return what cuts the page the request asks for (?after=<id>), for a page selector."""
    after = request.GET.get("after")
    return lambda queryset: keyset_page(queryset, after=after, size=size)
