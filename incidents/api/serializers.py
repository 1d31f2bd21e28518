"""What the incidents and alerts API shows and accepts.

An incident is shown in one of two shapes, chosen by the access policy for each caller and
each incident: `view: "full"` (the reporting agency's staff allowed to see it) or
`view: "anonymised"` (type, date, site and counts; everyone else, every partner). The output
serializers read the representation `incidents.reporting.selectors.incident_view_for` returns,
never the model, so nothing restricted can slip into the anonymised shape. Entries of reference
lists are referred to by code: type "abduction", perpetrator_category "non_state_armed_group".
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from camps.models import Site
from cases.models import DisplacedPerson, ProtectionCase
from incidents.models import (
    Alert,
    DatePrecision,
    Incident,
    IncidentStatus,
    IncidentType,
    InformationSource,
    PerpetratorCategory,
    Severity,
    Verification,
)
from incidents.reporting.services import IncidentData
from incidents.representations import FullIncident, IncidentView, VictimCounts
from protection import access, bounds
from protection.bounds import VICTIMS_MAX

# ---------------------------------------------------------------------------------------------
# Output


class VictimCountsSerializer(serializers.Serializer[VictimCounts]):
    female_children = serializers.IntegerField(help_text=_("Girls (under 18)."))
    male_children = serializers.IntegerField(help_text=_("Boys (under 18)."))
    female_adults = serializers.IntegerField(help_text=_("Women."))
    male_adults = serializers.IntegerField(help_text=_("Men."))
    sex_or_age_unknown = serializers.IntegerField()
    total = serializers.IntegerField()


class IncidentAnonymisedSerializer(serializers.Serializer[IncidentView]):
    """An incident as anyone who may see it sees it: nothing that could identify a victim."""

    view = serializers.SerializerMethodField(help_text=_("Which shape this is."))
    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    type = serializers.CharField(source="incident_type.code", help_text=_("Incident type code."))
    type_name = serializers.CharField(source="incident_type.label")
    taxonomy = serializers.CharField(source="incident_type.taxonomy")
    severity = serializers.IntegerField(help_text=_("1 low, 2 moderate, 3 serious, 4 critical."))
    occurred_on = serializers.DateField()
    site = serializers.IntegerField(source="site.pk", allow_null=True)
    site_code = serializers.CharField(source="site.code", allow_null=True)
    victims = VictimCountsSerializer(source="counts")
    involves_children = serializers.BooleanField()
    verification = serializers.ChoiceField(choices=Verification.choices)
    status = serializers.ChoiceField(choices=IncidentStatus.choices)
    reported_on = serializers.DateField()
    event = serializers.IntegerField(
        allow_null=True,
        help_text=_("The event this report is linked to with other reports of it, if any."),
    )
    safe_zone = serializers.IntegerField(
        source="safe_zone_id",
        allow_null=True,
        help_text=_("The safe zone the incident happened in, if any."),
    )

    @extend_schema_field({"type": "string", "enum": ["anonymised"]})
    def get_view(self, obj: IncidentView) -> str:
        return "anonymised"


class IncidentFullSerializer(IncidentAnonymisedSerializer):
    """An incident with everything recorded, for those the access policy allows."""

    occurred_at = serializers.DateTimeField()
    occurred_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    reported_at = serializers.DateTimeField()
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    admin1 = serializers.CharField()
    admin2 = serializers.CharField()
    location_detail = serializers.CharField()
    victim_ids = serializers.SerializerMethodField(
        help_text=_("Registered people recorded as victims (those the caller may see).")
    )
    perpetrator_category = serializers.CharField(source="perpetrator_category.code")
    # A declared field named "source" shadows Field.source only for the type checker.
    source = serializers.ChoiceField(choices=InformationSource.choices)  # type: ignore[assignment]
    description = serializers.CharField()
    actions_taken = serializers.CharField()
    reported_by = serializers.IntegerField(source="reported_by.pk")
    reporting_agency = serializers.IntegerField(source="reporting_agency.pk")
    linked_case = serializers.IntegerField(source="linked_case.pk", allow_null=True)

    @extend_schema_field({"type": "string", "enum": ["full"]})
    def get_view(self, obj: IncidentView) -> str:
        return "full"

    @extend_schema_field({"type": "array", "items": {"type": "integer"}})
    def get_victim_ids(self, obj: FullIncident) -> list[int]:
        return [person.pk for person in obj.victims]


def incident_data(view: IncidentView, context: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON of one incident in the shape the policy chose for it, by the serializers.

    The API answers with incidents.api.output.incident_json, the same JSON built directly;
    this is what it is checked against.
    """
    serializer = IncidentFullSerializer if view.full else IncidentAnonymisedSerializer
    data: dict[str, Any] = serializer(view, context=context).data
    return data


class AlertIncidentSerializer(serializers.Serializer[Incident]):
    """The incident of an alert, anonymised whoever receives the alert."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    type = serializers.CharField(source="incident_type.code")
    type_name = serializers.CharField(source="incident_type.label")
    involves_children = serializers.BooleanField()


class AlertSerializer(serializers.ModelSerializer[Alert]):
    """An alert the caller received."""

    incident = AlertIncidentSerializer(allow_null=True, read_only=True)
    site_code = serializers.CharField(source="site.code", allow_null=True, read_only=True)
    acknowledged_by = serializers.IntegerField(
        source="acknowledged_by_id", allow_null=True, read_only=True
    )
    details = serializers.JSONField(
        read_only=True,
        help_text=_("For an early warning: window, observed and expected counts, probability."),
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "status",
            "severity",
            "tier",
            "incident",
            "site",
            "site_code",
            "deadline_at",
            "raised_at",
            "escalated_at",
            "acknowledged_at",
            "acknowledged_by",
            "details",
        ]
        read_only_fields = fields


# ---------------------------------------------------------------------------------------------
# Input


@extend_schema_field(OpenApiTypes.INT)
class ReportableSiteField(serializers.PrimaryKeyRelatedField[Site]):
    """A site of the caller's agency; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[Site]:
        return access.sites_for(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisiblePersonField(serializers.PrimaryKeyRelatedField[DisplacedPerson]):
    """A registered person the caller may see; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[DisplacedPerson]:
        return access.people_for(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class VisibleCaseField(serializers.PrimaryKeyRelatedField[ProtectionCase]):
    """A case the caller may see; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[ProtectionCase]:
        return access.cases_for(self.context["request"].user)


class IncidentCreateSerializer(serializers.Serializer[None]):
    """A report: what happened, where, when, to whom, by whom, and how it is known."""

    type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=IncidentType.objects.filter(active=True),
        help_text=_("Incident type code, e.g. abduction, gbv_rape, gv_recruitment."),
    )
    severity = serializers.ChoiceField(choices=Severity.choices)
    occurred_at = serializers.DateTimeField()
    occurred_precision = serializers.ChoiceField(
        choices=DatePrecision.choices, default=DatePrecision.EXACT
    )
    site = ReportableSiteField(required=False, allow_null=True)
    latitude = bounds.latitude_field(required=False, allow_null=True)
    longitude = bounds.longitude_field(required=False, allow_null=True)
    admin1 = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    admin2 = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    location_detail = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )
    victims = VisiblePersonField(many=True, required=False, default=list)
    female_children = serializers.IntegerField(min_value=0, max_value=VICTIMS_MAX, default=0)
    male_children = serializers.IntegerField(min_value=0, max_value=VICTIMS_MAX, default=0)
    female_adults = serializers.IntegerField(min_value=0, max_value=VICTIMS_MAX, default=0)
    male_adults = serializers.IntegerField(min_value=0, max_value=VICTIMS_MAX, default=0)
    sex_or_age_unknown = serializers.IntegerField(min_value=0, max_value=VICTIMS_MAX, default=0)
    perpetrator_category = serializers.SlugRelatedField(
        slug_field="code", queryset=PerpetratorCategory.objects.filter(active=True)
    )
    source = serializers.ChoiceField(choices=InformationSource.choices)  # type: ignore[assignment]
    verification = serializers.ChoiceField(
        choices=Verification.choices, default=Verification.REPORTED
    )
    description = serializers.CharField()
    actions_taken = serializers.CharField(required=False, allow_blank=True, default="")
    linked_case = VisibleCaseField(required=False, allow_null=True)

    @staticmethod
    def incident_data(values: dict[str, Any]) -> IncidentData:
        """Return the service's input for validated values."""
        values = dict(values)
        return IncidentData(incident_type=values.pop("type"), **values)


class IncidentBaseSerializer(serializers.Serializer[None]):
    """The values the client started from, for each field it changes (protection.edits)."""

    status = serializers.CharField(required=False, max_length=20)
    verification = serializers.CharField(required=False, max_length=20)
    actions_taken = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class IncidentUpdateSerializer(serializers.Serializer[None]):
    """What moves an incident's response forward.

    With `base`, each field sent is merged with what was saved since: a field changed on the
    server since its base, to another value than the one sent, answers 409 and nothing is
    written. Without it, the fields sent are written as sent.
    """

    base = IncidentBaseSerializer(
        required=False,
        help_text=_(
            "The values of the fields you change as you last read them (GET), e.g. "
            '{"status": "open"}: a change saved meanwhile by someone else is then never '
            "overwritten (409 instead)."
        ),
    )

    status = serializers.ChoiceField(choices=IncidentStatus.choices, required=False)
    verification = serializers.ChoiceField(choices=Verification.choices, required=False)
    actions_taken = serializers.CharField(required=False, allow_blank=True)
