"""What the agency directory, the referral directory and the sharing agreements show."""

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partners.models import (
    AgencyType,
    DataCategory,
    DataSharingAgreement,
    PartnerAgency,
    Sector,
    Service,
    SharingPurpose,
)
from protection import access

if TYPE_CHECKING:
    from camps.models import Site


class AgencySerializer(serializers.ModelSerializer[PartnerAgency]):
    """An active agency: who it is, what it does, whom to contact."""

    type = serializers.ChoiceField(
        source="agency_type",
        choices=AgencyType.choices,
        read_only=True,
    )
    sectors: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("Codes of the sectors the agency works in."),
    )

    # Blank when unknown, so not documented with the "email" format an empty string would fail.
    contact_email = serializers.CharField(read_only=True)

    class Meta:
        model = PartnerAgency
        fields = [
            "id",
            "name",
            "acronym",
            "type",
            "sectors",
            "contact_name",
            "contact_email",
            "contact_phone",
        ]
        read_only_fields = fields


class ServiceSerializer(serializers.ModelSerializer[Service]):
    """A service of the referral directory: who offers what, where, and whether it takes cases."""

    agency_name = serializers.CharField(source="agency", read_only=True)
    sector: serializers.SlugRelatedField[Sector] = serializers.SlugRelatedField(
        slug_field="code", read_only=True, help_text=_("Sector code, e.g. gbv.")
    )
    sites: "serializers.PrimaryKeyRelatedField[Site]" = serializers.PrimaryKeyRelatedField(
        many=True,
        read_only=True,
        help_text=_("Ids of the sites served; empty when the service reaches every site."),
    )
    # Blank when unknown, so not documented with the "email" format an empty string would fail.
    contact_email = serializers.CharField(read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "agency",
            "agency_name",
            "name",
            "sector",
            "description",
            "sites",
            "contact_name",
            "contact_email",
            "contact_phone",
            "accepting_referrals",
            "active",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class AgencySiteField(serializers.PrimaryKeyRelatedField["Site"]):
    """A site id among the sites where the caller's agency works."""

    def get_queryset(self) -> "QuerySet[Site]":
        return access.sites_for(self.context["request"].user)


class ServiceWriteSerializer(serializers.Serializer[None]):
    """What an agency records about a service it offers."""

    name = serializers.CharField(max_length=200)
    sector = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Sector.objects.filter(active=True),
        help_text=_("Sector code, e.g. gbv."),
    )
    description = serializers.CharField(required=False, allow_blank=True)
    sites = AgencySiteField(
        many=True,
        required=False,
        help_text=_("Ids of sites of the agency served; leave empty for every site."),
    )
    contact_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    accepting_referrals = serializers.BooleanField(required=False)


class ServiceUpdateSerializer(ServiceWriteSerializer):
    """A change to a service; send only what changes (PATCH)."""

    active = serializers.BooleanField(
        required=False, help_text=_("Clear to take the service out of the directory.")
    )


class AgreementSerializer(serializers.ModelSerializer[DataSharingAgreement]):
    """A data-sharing agreement between the caller's agency and another one."""

    agency_one_name = serializers.CharField(source="agency_one", read_only=True)
    agency_two_name = serializers.CharField(source="agency_two", read_only=True)
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=SharingPurpose.choices), read_only=True
    )
    data_categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), read_only=True
    )
    in_force = serializers.BooleanField(
        read_only=True, help_text=_("Active and valid today: personal data may be shared.")
    )

    class Meta:
        model = DataSharingAgreement
        fields = [
            "id",
            "agency_one",
            "agency_one_name",
            "agency_two",
            "agency_two_name",
            "reference",
            "purposes",
            "data_categories",
            "valid_from",
            "valid_to",
            "active",
            "in_force",
        ]
        read_only_fields = fields
