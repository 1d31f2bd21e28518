"""Helpers the registry pages share: site options, service errors onto forms, read logs."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from cases.models import DisplacedPerson
from protection import access
from protection.audit import access_log_record
from protection.models import AccessPurpose

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


def log_people_listed(
    user: Any, people: Iterable[DisplacedPerson], purpose: str = AccessPurpose.LIST
) -> None:
    """Record that these people's rows were shown to the user (one insert)."""
    access_log_record(user=user, objects=list(people), purpose=purpose)
