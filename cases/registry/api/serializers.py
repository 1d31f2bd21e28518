"""What the registry API shows: households, people, and the duplicates a registration found.

Records (sites, households, people, agencies) are referred to by id; entries of reference
lists by their code: displacement_status "IDP", nationality "SSD" (ISO alpha-3),
specific_needs ["SC-UC"], documents ["passport"]. What it accepts is in
cases.registry.api.input_serializers.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from camps.models import Country
from cases.models import (
    DisplacedPerson,
    DisplacementStatus,
    DocumentType,
    Household,
    Sex,
    SpecificNeed,
)
from cases.registry.duplicates import Candidate


class PersonSerializer(serializers.ModelSerializer[DisplacedPerson]):
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


class MemberSerializer(serializers.ModelSerializer[DisplacedPerson]):
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


class HeadSerializer(serializers.ModelSerializer[DisplacedPerson]):
    """The head of a household, named in the household list."""

    class Meta:
        model = DisplacedPerson
        fields = ["id", "registration_number", "given_name", "family_name"]
        read_only_fields = fields


class HouseholdSerializer(serializers.ModelSerializer[Household]):
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


class DuplicateCandidateSerializer(serializers.Serializer[Candidate]):
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


class DuplicateMemberSerializer(serializers.Serializer[dict[str, Any]]):
    """The possible matches of one submitted person."""

    index = serializers.IntegerField(
        help_text=_("Position of the person in the submitted members (0 for a single person).")
    )
    candidates = DuplicateCandidateSerializer(many=True)


class DuplicateConflictSerializer(serializers.Serializer[dict[str, Any]]):
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
