"""Serializers every app's API shares."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

if TYPE_CHECKING:
    from partners.models import PartnerAgency  # noqa: F401  (the type argument below)


class AgencySummarySerializer(serializers.Serializer["PartnerAgency"]):
    """An agency named in another record (a user's, a site's): read only, declared field by
    field so that the accounts layer needs no import of the partners app."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, max_length=200)
    acronym = serializers.CharField(read_only=True, max_length=30)


class FieldConflictSerializer(serializers.Serializer[None]):
    """One field changed by the caller and, since its base, on the server (protection.edits)."""

    field = serializers.CharField(read_only=True, help_text=_("The field's name in the request."))
    yours = serializers.JSONField(read_only=True, help_text=_("The value the request sent."))
    theirs = serializers.JSONField(read_only=True, help_text=_("The value saved now."))
    base = serializers.JSONField(
        read_only=True, help_text=_("The value the request started from (its base).")
    )


class EditConflictSerializer(serializers.Serializer[None]):
    """A 409: the edit would overwrite another change; nothing was written."""

    conflicts = FieldConflictSerializer(many=True, read_only=True)


EDIT_CONFLICT = OpenApiResponse(
    EditConflictSerializer,
    description=_(
        "Another change of these fields was saved since the base the request started from; "
        "nothing was written. Choose each field's value, then send it again with the values "
        "saved now ('theirs') as its base."
    ),
)
