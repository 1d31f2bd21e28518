"""/api/v1/community-reports/: an agency's SMS or hotline gateway files what people report;
the agencies working at a site read the reports to triage them.

A gateway is a partner system signed in with a role that reports incidents; it files a
concern for a site its agency works in (another site: "not found" on the field) and gets the
reference to pass on to the sender. Creating is safe to retry under an Idempotency-Key. The
list holds no narrative; reading one report returns what the sender wrote, and logs the read.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from camps.models import Site
from incidents.community import selectors
from incidents.community.services import ConcernData, community_report_receive
from incidents.models import CommunityReport, ConcernKind, ReportChannel
from protection import access
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet


@extend_schema_field(OpenApiTypes.INT)
class _SiteField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> QuerySet[Site]:
        return access.sites_for(self.context["request"].user)


class CommunityReportSerializer(serializers.ModelSerializer[CommunityReport]):
    site_code = serializers.CharField(source="site.code", read_only=True)
    incident = serializers.CharField(
        source="incident.reference", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CommunityReport
        fields = [
            "id",
            "reference",
            "site",
            "site_code",
            "kind",
            "occurred_on",
            "channel",
            "language",
            "state",
            "received_at",
            "incident",
        ]
        read_only_fields = fields


class CommunityReportDetailSerializer(CommunityReportSerializer):
    class Meta(CommunityReportSerializer.Meta):
        fields = [*CommunityReportSerializer.Meta.fields, "description", "contact"]
        read_only_fields = fields


class CommunityReportCreateSerializer(serializers.Serializer[Any]):
    site = _SiteField()
    kind = serializers.ChoiceField(choices=ConcernKind.choices)
    description = serializers.CharField(max_length=2000)
    occurred_on = serializers.DateField()
    contact = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(choices=["en", "fr", "ar"], default="en")
    channel = serializers.ChoiceField(choices=ReportChannel.choices)

    def validate_occurred_on(self, value: Any) -> Any:
        if value > timezone.localdate():
            raise serializers.ValidationError(_("The day cannot be in the future."))
        return value


@extend_schema_view(
    list=extend_schema(summary=_("List the community reports of the agency's sites")),
    retrieve=extend_schema(
        summary=_("Read a community report, with what the sender wrote"),
        responses=CommunityReportDetailSerializer,
    ),
    create=extend_schema(
        summary=_("File a concern a community member sent to the agency's SMS or hotline"),
        request=CommunityReportCreateSerializer,
        responses={201: CommunityReportDetailSerializer},
    ),
)
class CommunityReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ProtectedViewSet[CommunityReport],
):
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.REPORT_INCIDENTS,
        "retrieve": Action.REPORT_INCIDENTS,
        "create": Action.REPORT_INCIDENTS,
    }

    def get_queryset(self) -> QuerySet[CommunityReport]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return CommunityReport.objects.none()
        return selectors.triage_queue(user=signed_in(self.request.user), state="")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return CommunityReportCreateSerializer
        return CommunityReportSerializer

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = selectors.triage_report_get(user=signed_in(request.user), pk=int(kwargs["pk"]))
        return Response(CommunityReportDetailSerializer(report).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = CommunityReportCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with translation.override(data["language"]):
            report = community_report_receive(data=ConcernData(**data))
        found = selectors.triage_report_get(user=signed_in(request.user), pk=report.pk)
        return Response(CommunityReportDetailSerializer(found).data, status=status.HTTP_201_CREATED)
