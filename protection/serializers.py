"""Serializers every app's API shares."""

from typing import TYPE_CHECKING

from rest_framework import serializers

if TYPE_CHECKING:
    from partners.models import PartnerAgency  # noqa: F401  (the type argument below)


class AgencySummarySerializer(serializers.Serializer["PartnerAgency"]):
    """An agency named in another record (a user's, a site's): read only, declared field by
    field so that the accounts layer needs no import of the partners app."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, max_length=200)
    acronym = serializers.CharField(read_only=True, max_length=30)
