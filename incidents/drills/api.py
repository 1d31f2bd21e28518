"""/api/v1/drills/: an agency's drills, starting one, ending one, and a drill's report.

Starting a drill reports its simulated incidents through the incident service: their alerts
go to the real recipients, marked DRILL. The report gives, per alert, tier and person, when
they were told, the tier's deadline and when they acknowledged, and a summary per tier.
Another agency's drill is not found.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from camps.models import Site
from incidents.drills import selectors
from incidents.drills.services import (
    MAX_INCIDENTS,
    SCENARIO_MAX,
    DrillPlan,
    drill_end,
    drill_start,
)
from incidents.models import Drill, IncidentType, Severity
from protection import access
from protection.access import Action
from protection.accounts.models import User
from protection.accounts.types import signed_in
from protection.api_creates import ServiceCreateViewSet


@extend_schema_field(OpenApiTypes.INT)
class _SiteField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> QuerySet[Site]:
        return access.sites_for(self.context["request"].user)


class DrillSerializer(serializers.ModelSerializer[Drill]):
    site_code = serializers.CharField(source="site.code", read_only=True)
    incident_count = serializers.IntegerField(read_only=True)
    running = serializers.BooleanField(read_only=True)

    class Meta:
        model = Drill
        fields = [
            "id",
            "reference",
            "site",
            "site_code",
            "scenario",
            "started_by",
            "started_at",
            "ended_by",
            "ended_at",
            "running",
            "incident_count",
        ]
        read_only_fields = fields


class DrillStartSerializer(serializers.Serializer[Any]):
    site = _SiteField()
    scenario = serializers.CharField(max_length=SCENARIO_MAX)
    incident_type = serializers.SlugRelatedField(
        slug_field="code", queryset=IncidentType.objects.filter(active=True)
    )
    severity = serializers.ChoiceField(choices=Severity.choices)
    incidents = serializers.IntegerField(min_value=1, max_value=MAX_INCIDENTS, default=1)


class ResponseRowSerializer(serializers.Serializer[Any]):
    alert_id = serializers.IntegerField()
    incident_reference = serializers.CharField()
    tier = serializers.IntegerField()
    person_id = serializers.IntegerField()
    person = serializers.CharField()
    told_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField()
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    minutes = serializers.FloatField(allow_null=True)
    outcome = serializers.ChoiceField(choices=["in_time", "late", "other", "missed", "waiting"])
    within_deadline = serializers.BooleanField(allow_null=True)


class TierSummarySerializer(serializers.Serializer[Any]):
    tier = serializers.IntegerField()
    deadline_minutes = serializers.IntegerField(allow_null=True)
    alerts = serializers.IntegerField()
    told = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    in_time = serializers.IntegerField()
    median_minutes = serializers.FloatField(allow_null=True)


class DrillReportSerializer(serializers.Serializer[Any]):
    drill = DrillSerializer()
    incidents = serializers.ListField(child=serializers.CharField(), source="incident_references")
    alerts = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    in_time = serializers.IntegerField()
    escalations = serializers.IntegerField()
    exhausted = serializers.IntegerField()
    median_minutes = serializers.FloatField(allow_null=True)
    tiers = TierSummarySerializer(many=True)
    rows = ResponseRowSerializer(many=True)


@extend_schema_view(
    list=extend_schema(summary=_("List the agency's drills")),
    retrieve=extend_schema(summary=_("Read one drill")),
    create=extend_schema(
        summary=_("Start a drill: its simulated incidents alert the real recipients, as DRILL"),
        request=DrillStartSerializer,
        responses={201: DrillSerializer},
    ),
)
class DrillViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateViewSet[Drill],
):
    serializer_class = DrillSerializer
    create_serializer_class = DrillStartSerializer
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.MANAGE_INCIDENTS,
        "retrieve": Action.MANAGE_INCIDENTS,
        "create": Action.MANAGE_INCIDENTS,
        "end": Action.MANAGE_INCIDENTS,
        "report": Action.MANAGE_INCIDENTS,
    }

    def get_queryset(self) -> QuerySet[Drill]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return Drill.objects.none()
        return selectors.drill_list(user=signed_in(self.request.user))

    def create_record(self, *, actor: User, data: dict[str, Any]) -> Drill:
        return drill_start(actor=actor, plan=DrillPlan(**data))

    def answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        found = selectors.drill_get(user=signed_in(self.request.user), pk=pk)
        return Response(DrillSerializer(found).data, status=code)

    @extend_schema(
        summary=_("End a drill; ending it again changes nothing"),
        request=None,
        responses=DrillSerializer,
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        drill = selectors.drill_get(user=signed_in(request.user), pk=int(pk))
        drill_end(actor=signed_in(request.user), drill=drill)
        return self.answer(drill.pk)

    @extend_schema(
        summary=_("A drill's report: time to acknowledge per person and tier, against deadlines"),
        responses=DrillReportSerializer,
    )
    @action(detail=True, methods=["get"])
    def report(self, request: Request, pk: str) -> Response:
        drill = selectors.drill_get(user=signed_in(request.user), pk=int(pk))
        return Response(DrillReportSerializer(selectors.drill_report(drill=drill)).data)
