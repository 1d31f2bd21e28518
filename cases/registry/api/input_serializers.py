"""What the registry API accepts: a household to register, a person to add, edit or re-status.

Inputs are checked for shape here and for meaning by cases.registry.services, whose field errors
reach the client under the same names as these inputs.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from camps.models import Country, Site
from cases.models import (
    ConsentGivenBy,
    ConsentScope,
    DisplacementStatus,
    DocumentType,
    Household,
    PersonStatus,
    Relationship,
    Sex,
    SpecificNeed,
)
from cases.registry.records import PersonData
from protection import access, edits
from protection.bounds import AGE_MAX

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@extend_schema_field(OpenApiTypes.INT)
class VisibleSiteField(serializers.PrimaryKeyRelatedField[Site]):
    """A site id among the sites of the caller's agency; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[Site]:
        return access.sites_for(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleHouseholdField(serializers.PrimaryKeyRelatedField[Household]):
    """A household id among those the caller sees; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[Household]:
        return access.households_for(self.context["request"].user)


def _country_field(help_text: "StrOrPromise") -> serializers.SlugRelatedField[Country]:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Country.objects.all(),
        required=False,
        allow_null=True,
        help_text=help_text,
    )


def needs_field() -> serializers.SlugRelatedField[SpecificNeed]:
    """Return the field of UNHCR specific-needs codes (the registry's and the plan's)."""
    return serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=SpecificNeed.objects.filter(active=True).select_related("category"),
        help_text=_("UNHCR specific-needs codes, e.g. SC-UC; child codes only under 18."),
    )


def _documents_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentType.choices),
        required=False,
        help_text=_("Kinds of identity documents the person holds."),
    )


def _unique(values: list[Any]) -> list[Any]:
    return list(dict.fromkeys(values))


class PersonInputSerializer(serializers.Serializer[None]):
    """One person being registered; the service checks dates, ages and codes together."""

    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    other_names = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices)
    relationship_to_head = serializers.ChoiceField(choices=Relationship.choices)
    date_of_birth = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("Give the date of birth, or estimated_age when only an age is known."),
    )
    estimated_age = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=AGE_MAX,
        help_text=_("Age in years when the date of birth is unknown; recorded as 1 January."),
    )
    nationality = _country_field(_("ISO 3166-1 alpha-3 code, e.g. SSD."))
    languages = serializers.CharField(max_length=200, required=False, allow_blank=True)
    displacement_status = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DisplacementStatus.objects.all(),
        help_text=_("Displacement status code, e.g. IDP."),
    )
    origin_country = _country_field(_("ISO 3166-1 alpha-3 code of the country of origin."))
    origin_location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    displaced_on = serializers.DateField(required=False, allow_null=True)
    arrived_on = serializers.DateField(required=False, allow_null=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    documents = _documents_field()
    specific_needs = needs_field()
    consent_date = serializers.DateField(help_text=_("When consent to registration was given."))
    consent_given_by = serializers.ChoiceField(choices=ConsentGivenBy.choices)
    consent_scope = serializers.ChoiceField(
        choices=ConsentScope.choices, required=False, default=ConsentScope.REGISTRATION
    )
    confirm_not_duplicate = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Set after a 409 answer, once the candidates were checked and none is this person; "
            "the decision is recorded."
        ),
    )

    def validate_documents(self, value: list[str]) -> list[str]:
        return _unique(value)

    def validate_specific_needs(self, value: list[SpecificNeed]) -> list[SpecificNeed]:
        return _unique(value)

    @staticmethod
    def person_data(values: dict[str, Any]) -> PersonData:
        """Return the service's PersonData for validated values."""
        return PersonData(**{name: value for name, value in values.items() if value is not None})


class HouseholdCreateSerializer(serializers.Serializer[None]):
    """A household and its members, registered together at one site."""

    site = VisibleSiteField(help_text=_("Id of a site of the caller's agency."))
    address = serializers.CharField(max_length=120, required=False, allow_blank=True)
    registered_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("Defaults to today.")
    )
    members = PersonInputSerializer(
        many=True, help_text=_("Exactly one member has relationship_to_head 'head'.")
    )


class PersonCreateSerializer(PersonInputSerializer):
    """A person added to a household registered already (a birth, a late arrival)."""

    household = VisibleHouseholdField(help_text=_("Id of a household the caller can see."))


class PersonUpdateSerializer(serializers.Serializer[None]):
    """The details of a person that may change; send only those that do (PATCH)."""

    given_name = serializers.CharField(max_length=100)
    family_name = serializers.CharField(max_length=100)
    other_names = serializers.CharField(max_length=200, allow_blank=True)
    sex = serializers.ChoiceField(choices=Sex.choices)
    relationship_to_head = serializers.ChoiceField(choices=Relationship.choices)
    date_of_birth = serializers.DateField()
    date_of_birth_estimated = serializers.BooleanField()
    nationality = _country_field(_("ISO 3166-1 alpha-3 code, e.g. SSD."))
    languages = serializers.CharField(max_length=200, allow_blank=True)
    displacement_status = serializers.SlugRelatedField(
        slug_field="code",
        queryset=DisplacementStatus.objects.all(),
        help_text=_("Displacement status code, e.g. IDP."),
    )
    origin_country = _country_field(_("ISO 3166-1 alpha-3 code of the country of origin."))
    origin_location = serializers.CharField(max_length=200, allow_blank=True)
    displaced_on = serializers.DateField(allow_null=True)
    arrived_on = serializers.DateField(allow_null=True)
    phone = serializers.CharField(max_length=30, allow_blank=True)
    documents = _documents_field()
    specific_needs = needs_field()
    consent_date = serializers.DateField()
    consent_given_by = serializers.ChoiceField(choices=ConsentGivenBy.choices)
    consent_scope = serializers.ChoiceField(choices=ConsentScope.choices)

    base = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text=_(
            "The values of the fields you change as you last read them (GET: codes, ISO "
            'dates, needs as a list of codes), e.g. {"phone": "", "specific_needs": []}: a '
            "change saved meanwhile by someone else is then never overwritten (409 instead)."
        ),
    )

    def validate_documents(self, value: list[str]) -> list[str]:
        return _unique(value)

    def validate_specific_needs(self, value: list[SpecificNeed]) -> list[SpecificNeed]:
        return _unique(value)

    def validate_base(self, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(self.fields) - {"base"})
        if unknown:
            raise serializers.ValidationError(
                _("Not fields of a person: %(names)s.") % {"names": ", ".join(unknown)}
            )
        return edits.comparable_all(value)


class PersonStatusChangeSerializer(serializers.Serializer[None]):
    """A change of status: departed, deceased, repatriated, resettled, ..., with the reason."""

    status = serializers.ChoiceField(choices=PersonStatus.choices)
    reason = serializers.CharField(max_length=300, help_text=_("Why the status changes."))
    effective_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("When it happened; defaults to today.")
    )
