"""What the registry API shows and accepts.

Records (sites, households, people, agencies) are referred to by id; entries of reference
lists by their code: displacement_status "IDP", nationality "SSD" (ISO alpha-3),
specific_needs ["SC-UC"], documents ["passport"]. Input and output serializers are separate
where they differ; inputs become the services' PersonData.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from camps.models import Country, Site
from cases.models import (
    ConsentGivenBy,
    ConsentScope,
    DisplacedPerson,
    DisplacementStatus,
    DocumentType,
    Household,
    PersonStatus,
    Relationship,
    Sex,
    SpecificNeed,
)
from cases.registry.duplicates import Candidate
from cases.registry.services import PersonData
from protection import access
from protection.bounds import AGE_MAX

# ---------------------------------------------------------------------------------------------
# Output


class PersonSerializer(serializers.ModelSerializer):
    """A registered person, as the owning agency sees them."""

    household_code = serializers.CharField(source="household.code", read_only=True)
    site_code = serializers.CharField(source="site.code", read_only=True)
    nationality: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("ISO 3166-1 alpha-3 code."),
    )
    origin_country: serializers.SlugRelatedField[Country] = serializers.SlugRelatedField(
        slug_field="code",
        read_only=True,
        allow_null=True,
        help_text=_("ISO 3166-1 alpha-3 code."),
    )
    displacement_status: serializers.SlugRelatedField[DisplacementStatus] = (
        serializers.SlugRelatedField(
            slug_field="code", read_only=True, help_text=_("Displacement status code, e.g. IDP.")
        )
    )
    specific_needs: serializers.SlugRelatedField[SpecificNeed] = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text=_("UNHCR specific-needs codes, e.g. SC-UC."),
    )
    documents = serializers.ListField(
        child=serializers.ChoiceField(choices=DocumentType.choices),
        read_only=True,
        help_text=_("Kinds of identity documents the person holds."),
    )

    class Meta:
        model = DisplacedPerson
        fields = [
            "id",
            "registration_number",
            "household",
            "household_code",
            "site",
            "site_code",
            "relationship_to_head",
            "given_name",
            "family_name",
            "other_names",
            "sex",
            "date_of_birth",
            "date_of_birth_estimated",
            "nationality",
            "languages",
            "displacement_status",
            "origin_country",
            "origin_location",
            "displaced_on",
            "arrived_on",
            "specific_needs",
            "phone",
            "documents",
            "consent_date",
            "consent_given_by",
            "consent_scope",
            "status",
            "status_reason",
            "status_changed_on",
            "owning_agency",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MemberSerializer(serializers.ModelSerializer):
    """A member as the household's page lists them."""

    displacement_status: serializers.SlugRelatedField[DisplacementStatus] = (
        serializers.SlugRelatedField(slug_field="code", read_only=True)
    )

    class Meta:
        model = DisplacedPerson
        fields = [
            "id",
            "registration_number",
            "relationship_to_head",
            "given_name",
            "family_name",
            "sex",
            "date_of_birth",
            "date_of_birth_estimated",
            "displacement_status",
            "status",
        ]
        read_only_fields = fields


class HeadSerializer(serializers.ModelSerializer):
    """The head of a household, named in the household list."""

    class Meta:
        model = DisplacedPerson
        fields = ["id", "registration_number", "given_name", "family_name"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer):
    """A household in a list: where, when, who heads it, how many members."""

    site_code = serializers.CharField(source="site.code", read_only=True)
    head = serializers.SerializerMethodField()
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "code",
            "site",
            "site_code",
            "address",
            "registered_on",
            "owning_agency",
            "head",
            "member_count",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(HeadSerializer(allow_null=True))
    def get_head(self, household: Household) -> dict[str, Any] | None:
        """Return the head of household from the selector's prefetch."""
        heads = getattr(household, "heads", None)
        if heads is None:
            heads = [m for m in household.members.all() if m.relationship_to_head == "head"]
        return dict(HeadSerializer(heads[0]).data) if heads else None


class HouseholdDetailSerializer(HouseholdSerializer):
    """A household with all its members."""

    members = MemberSerializer(many=True, read_only=True)

    class Meta(HouseholdSerializer.Meta):
        fields = [*HouseholdSerializer.Meta.fields, "members"]
        read_only_fields = fields


class DuplicateCandidateSerializer(serializers.Serializer):
    """A registered person who may be the one being registered."""

    id = serializers.IntegerField(source="person.id")
    registration_number = serializers.CharField(source="person.registration_number")
    given_name = serializers.CharField(source="person.given_name")
    family_name = serializers.CharField(source="person.family_name")
    sex = serializers.ChoiceField(source="person.sex", choices=Sex.choices)
    date_of_birth = serializers.DateField(source="person.date_of_birth")
    site_code = serializers.CharField(source="person.site.code")
    household_code = serializers.CharField(source="person.household.code")
    score = serializers.IntegerField(help_text=_("How alike, out of 100."))
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text=_("Why the person was matched.")
    )


class DuplicateMemberSerializer(serializers.Serializer):
    """The possible matches of one submitted person."""

    index = serializers.IntegerField(
        help_text=_("Position of the person in the submitted members (0 for a single person).")
    )
    candidates = DuplicateCandidateSerializer(many=True)


class DuplicateConflictSerializer(serializers.Serializer):
    """The answer 409: registering would likely create a duplicate; nothing was written."""

    detail = serializers.CharField()
    code = serializers.CharField(help_text=_("Always possible_duplicates."))
    members = DuplicateMemberSerializer(many=True)

    @staticmethod
    def body(candidates: dict[int, list[Candidate]]) -> dict[str, Any]:
        """Return the 409 body for the candidates of each member index."""
        return {
            "detail": _(
                "Possible duplicates found. Check the candidates; if the person is not one of "
                "them, send the request again with confirm_not_duplicate: true on that person."
            ),
            "code": "possible_duplicates",
            "members": [
                {"index": index, "candidates": matches}
                for index, matches in sorted(candidates.items())
            ],
        }


# ---------------------------------------------------------------------------------------------
# Input


@extend_schema_field(OpenApiTypes.INT)
class VisibleSiteField(serializers.PrimaryKeyRelatedField):
    """A site id among the sites of the caller's agency; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[Site]:
        return access.sites_for(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleHouseholdField(serializers.PrimaryKeyRelatedField):
    """A household id among those the caller sees; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[Household]:
        return access.households_for(self.context["request"].user)


def _country_field(help_text: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Country.objects.all(),
        required=False,
        allow_null=True,
        help_text=help_text,
    )


def _needs_field() -> serializers.SlugRelatedField:
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


class PersonInputSerializer(serializers.Serializer):
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
    specific_needs = _needs_field()
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


class HouseholdCreateSerializer(serializers.Serializer):
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


class PersonUpdateSerializer(serializers.Serializer):
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
    specific_needs = _needs_field()
    consent_date = serializers.DateField()
    consent_given_by = serializers.ChoiceField(choices=ConsentGivenBy.choices)
    consent_scope = serializers.ChoiceField(choices=ConsentScope.choices)

    def validate_documents(self, value: list[str]) -> list[str]:
        return _unique(value)

    def validate_specific_needs(self, value: list[SpecificNeed]) -> list[SpecificNeed]:
        return _unique(value)


class PersonStatusChangeSerializer(serializers.Serializer):
    """A change of status: departed, deceased, repatriated, resettled, ..., with the reason."""

    status = serializers.ChoiceField(choices=PersonStatus.choices)
    reason = serializers.CharField(max_length=300, help_text=_("Why the status changes."))
    effective_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("When it happened; defaults to today.")
    )
