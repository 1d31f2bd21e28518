"""Helpers the registry pages share: site options, keyset pages, service errors onto forms."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from protection import access
from protection.pagination import KeysetPage, keyset_page

PAGE_SIZE = 50


def site_options(user: Any) -> list[tuple[int, str]]:
    """Return (id, name) of the sites the user may see, for a filter's choices."""
    return [(site.pk, str(site)) for site in access.sites_for(user).order_by("name")]


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    """Return a service's ValidationError as {key: [messages]}, whatever its shape."""
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {NON_FIELD_ERRORS: error.messages}


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, or above the form."""
    for key, messages in error_messages(error).items():
        form.add_error(key if key in form.fields else None, messages)


def keyset_pager(
    request: HttpRequest, size: int = PAGE_SIZE
) -> Callable[[QuerySet[Any]], KeysetPage[Model]]:
    """Return what cuts the page the request asks for (?after=<id>), for a page selector."""
    after = request.GET.get("after")
    return lambda queryset: keyset_page(queryset, after=after, size=size)
