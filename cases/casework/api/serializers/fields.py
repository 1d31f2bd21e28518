"""Fields the casework serializers share: read-only helpers, ids checked against access."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import (
    DisplacedPerson,
    ProtectionCase,
    Referral,
)
from partners.models import Service
from protection import access
from protection.accounts.models import User
from protection.accounts.types import Viewer


def blank_choice(choices: Any) -> serializers.ChoiceField:
    """Return a read-only choice that is blank until set (declared: ModelSerializer drops
    allow_blank from read-only fields, and the schema would then refuse the blank)."""
    return serializers.ChoiceField(choices=choices, allow_blank=True, read_only=True)


def name_of(source: str) -> serializers.CharField:
    """Return a read-only field with the display name of the user at `source` (or null)."""
    return serializers.CharField(source=source, read_only=True, allow_null=True)


def caller(field: "serializers.Field[Any, Any, Any, Any]") -> "Viewer":
    """Return who is asking: the user of the request in the field's context."""
    return field.context["request"].user


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField[DisplacedPerson]):
    """A person id among those the caller sees; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[DisplacedPerson]:
        return access.people_for(caller(self))


@extend_schema_field(OpenApiTypes.INT)
class AgencyUserField(serializers.PrimaryKeyRelatedField[User]):
    """A user id of the caller's agency; the service says whether they may take the work."""

    def get_queryset(self) -> QuerySet[User]:
        agency = access.agency_of(caller(self))
        if agency is None:
            return User.objects.none()
        return User.objects.filter(agency_id=agency.pk)


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField[ProtectionCase]):
    """A case id among those the caller sees; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[ProtectionCase]:
        return access.cases_for(caller(self)).select_related(
            "primary_person__site", "primary_person__household", "owning_agency"
        )


@extend_schema_field(OpenApiTypes.INT)
class VisibleServiceField(serializers.PrimaryKeyRelatedField[Service]):
    """A service id of the referral directory."""

    def get_queryset(self) -> QuerySet[Service]:
        return access.services_for(caller(self)).select_related("agency")


@extend_schema_field(OpenApiTypes.INT)
class SentReferralField(serializers.PrimaryKeyRelatedField[Referral]):
    """A referral id of a case the caller sees."""

    def get_queryset(self) -> QuerySet[Referral]:
        return access.referrals_sent_for(caller(self))


class ReasonSerializer(serializers.Serializer[None]):
    """A decision that needs its reason written down."""

    reason = serializers.CharField(max_length=2000)
