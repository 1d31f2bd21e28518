"""/api/v1/incidents/{id}/same-event…: which reports are probably the same event, the event an
incident is linked to, and linking, unlinking and choosing the primary record.

The suggestions are computed on the server among the incidents the caller may see
(incidents.events.selectors); each comes with why (place, time, type). Linking needs a role
that manages incidents, and both incidents visible to the caller: an incident outside the
caller's scope answers 404 in the path and "does not exist" as `other`. Each POST answers the
incident as GET /incidents/{id}/ would, with its `event`, and is safe to retry under an
Idempotency-Key.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from incidents.api.output import incident_json
from incidents.api.views import INCIDENT
from incidents.events import selectors, services
from incidents.models import Incident
from incidents.reporting.selectors import incident_get, incident_view_for
from protection import access, idempotency
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet


class EventReportSerializer(serializers.Serializer[Any]):
    """A report as anyone who may see it sees it: reference, type, date and site."""

    id = serializers.IntegerField(source="pk")
    reference = serializers.CharField()
    type = serializers.CharField(source="incident_type.code")
    type_name = serializers.CharField(source="incident_type.label")
    occurred_on = serializers.SerializerMethodField()
    site = serializers.IntegerField(source="site_id", allow_null=True)
    site_code = serializers.CharField(source="site.code", allow_null=True, default=None)

    @extend_schema_field(OpenApiTypes.DATE)
    def get_occurred_on(self, obj: Incident) -> str:
        return timezone.localtime(obj.occurred_at).date().isoformat()


class SuggestionSerializer(serializers.Serializer[Any]):
    incident = EventReportSerializer()
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text=_("Why: the place, the time, the type.")
    )
    explanation = serializers.CharField(help_text=_('E.g. "same site, 3 hours apart, same type".'))


class SuggestionsSerializer(serializers.Serializer[Any]):
    incident = serializers.IntegerField()
    suggestions = SuggestionSerializer(many=True)


class SameEventSerializer(serializers.Serializer[Any]):
    event = serializers.IntegerField(allow_null=True, help_text=_("None when not linked."))
    primary = serializers.IntegerField(
        allow_null=True,
        help_text=_("The primary record, when the caller may see it."),
    )
    reports = EventReportSerializer(many=True, help_text=_("The reports the caller may see."))


class _VisibleIncident(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> QuerySet[Incident]:
        return access.incidents_for(self.context["request"].user).select_related("incident_type")


@extend_schema_field(OpenApiTypes.INT)
class _OtherField(_VisibleIncident):
    pass


class LinkSerializer(serializers.Serializer[Any]):
    other = _OtherField(help_text=_("The other report of the same event (an incident id)."))


class IncidentEventViewSet(ProtectedViewSet[Incident]):
    """Reports of one event: suggestions, the event, link, unlink, primary record."""

    required_actions = {
        "same_event_suggestions": Action.VIEW_INCIDENTS,
        "same_event": Action.VIEW_INCIDENTS,
        "link": Action.MANAGE_INCIDENTS,
        "unlink": Action.MANAGE_INCIDENTS,
        "primary": Action.MANAGE_INCIDENTS,
    }

    def get_queryset(self) -> QuerySet[Incident]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return Incident.objects.none()
        return access.incidents_for(signed_in(self.request.user))

    def _incident(self, pk: Any) -> Incident:
        return incident_get(user=signed_in(self.request.user), pk=int(pk))

    def _answer(self, pk: int) -> Response:
        user = signed_in(self.request.user)
        return Response(
            incident_json(incident_view_for(user=user, incident=incident_get(user=user, pk=pk)))
        )

    def replay(self, outcome: idempotency.Outcome) -> Response:
        """A retried link, unlink or primary answers the incident as it is now."""
        return self._answer(int(self.kwargs["pk"]))

    @extend_schema(
        summary=_("Suggest the reports that are probably the same event, and why"),
        responses=SuggestionsSerializer,
    )
    @action(detail=True, methods=["get"], url_path="same-event-suggestions")
    def same_event_suggestions(self, request: Request, pk: str) -> Response:
        incident = self._incident(pk)
        found = selectors.same_event_suggestions(user=signed_in(request.user), incident=incident)
        return Response(
            {"incident": incident.pk, "suggestions": SuggestionSerializer(found, many=True).data}
        )

    @extend_schema(
        summary=_("Show the event the incident is linked to: its reports the caller may see"),
        responses=SameEventSerializer,
    )
    @action(detail=True, methods=["get"], url_path="same-event")
    def same_event(self, request: Request, pk: str) -> Response:
        incident = self._incident(pk)
        reports = selectors.event_reports(user=signed_in(request.user), incident=incident)
        primary = next((r.pk for r in reports if r.event and r.event.primary_id == r.pk), None)
        return Response(
            {
                "event": incident.event_id,
                "primary": primary,
                "reports": EventReportSerializer(reports, many=True).data,
            }
        )

    @extend_schema(
        summary=_("Link another report to this incident as the same event"),
        description=_("A new event takes this incident as its primary record."),
        request=LinkSerializer,
        responses=INCIDENT,
    )
    @action(detail=True, methods=["post"])
    def link(self, request: Request, pk: str) -> Response:
        incident = self._incident(pk)
        serializer = LinkSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        other = serializer.validated_data["other"]
        services.incident_link(actor=signed_in(request.user), incident=incident, other=other)
        return self._answer(incident.pk)

    @extend_schema(
        summary=_("Take the incident out of its event"),
        description=_("An event left with one report is dissolved."),
        request=None,
        responses=INCIDENT,
    )
    @action(detail=True, methods=["post"])
    def unlink(self, request: Request, pk: str) -> Response:
        incident = self._incident(pk)
        services.incident_unlink(actor=signed_in(request.user), incident=incident)
        return self._answer(incident.pk)

    @extend_schema(
        summary=_("Make the incident the primary record of its event"),
        request=None,
        responses=INCIDENT,
    )
    @action(detail=True, methods=["post"])
    def primary(self, request: Request, pk: str) -> Response:
        incident = self._incident(pk)
        services.incident_event_set_primary(actor=signed_in(request.user), incident=incident)
        return self._answer(incident.pk)
