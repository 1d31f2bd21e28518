"""The incidents and alerts API: report, list and read incidents as the policy allows; alerts.

Each incident in an answer is serialized in the shape the access policy chose for the caller:
full or anonymised. The selector that builds it logs the read: the incident, and the registered
victims a full view names. An incident or alert outside the caller's scope answers 404.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from incidents.alerts.selectors import alert_get, alert_list
from incidents.alerts.services import alert_acknowledge
from incidents.api.output import incident_json
from incidents.api.serializers import (
    AlertSerializer,
    IncidentAnonymisedSerializer,
    IncidentCreateSerializer,
    IncidentFullSerializer,
    IncidentUpdateSerializer,
)
from incidents.filters import AlertFilter, IncidentFilter
from incidents.models import Alert, Incident
from incidents.reporting.selectors import (
    incident_get,
    incident_list,
    incident_view_for,
    incident_views_for,
)
from incidents.reporting.services import incident_report, incident_update
from protection import edits
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet
from protection.models import AccessPurpose
from protection.serializers import EDIT_CONFLICT

INCIDENT = PolymorphicProxySerializer(
    component_name="Incident",
    serializers=[IncidentFullSerializer, IncidentAnonymisedSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(
        summary=_("List the incidents the caller may see, each full or anonymised"),
        responses=INCIDENT,
    ),
    retrieve=extend_schema(
        summary=_("Show an incident, full or anonymised as the caller's role allows"),
        responses=INCIDENT,
    ),
    create=extend_schema(
        summary=_("Report an incident; matching escalation policies raise alerts at once"),
        request=IncidentCreateSerializer,
        responses={201: INCIDENT},
    ),
    partial_update=extend_schema(
        summary=_("Move the response forward: status, verification, actions taken"),
        description=_(
            "Send `base`, the values you started from, to be protected from overwriting a "
            "change saved meanwhile: a field changed on both sides answers 409 with each "
            "conflicting field, and nothing is written."
        ),
        request=IncidentUpdateSerializer,
        responses={200: INCIDENT, 409: EDIT_CONFLICT},
    ),
)
class IncidentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ProtectedViewSet[Incident],
):
    """Protection incidents: GBV incidents' identifying details only for designated staff."""

    filterset_class = IncidentFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.VIEW_INCIDENTS,
        "retrieve": Action.VIEW_INCIDENTS,
        "create": Action.REPORT_INCIDENTS,
        "partial_update": Action.MANAGE_INCIDENTS,
    }

    def get_queryset(self) -> QuerySet[Incident]:
        """Return the incidents the caller may see, with what each shape reads."""
        return incident_list(user=signed_in(self.request.user)).select_related(
            "perpetrator_category", "reported_by", "reporting_agency"
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return IncidentCreateSerializer
        if self.action == "partial_update":
            return IncidentUpdateSerializer
        return IncidentFullSerializer

    def _answer(self, incident: Incident, code: int = status.HTTP_200_OK) -> Response:
        view = incident_view_for(user=signed_in(self.request.user), incident=incident)
        return Response(incident_json(view), status=code)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """List a page of incidents; they and the victims named on it are logged as read."""
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None  # The API always paginates.
        views = incident_views_for(
            user=signed_in(request.user), incidents=list(page), purpose=AccessPurpose.LIST
        )
        return self.get_paginated_response([incident_json(view) for view in views])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self._answer(incident_get(user=signed_in(request.user), pk=int(kwargs["pk"])))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Report through the service: the incident, its alerts and outbox in one transaction."""
        serializer = IncidentCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        result = incident_report(
            actor=signed_in(request.user),
            data=IncidentCreateSerializer.incident_data(serializer.validated_data),
        )
        incident = incident_get(user=signed_in(request.user), pk=result.incident.pk)
        return self._answer(incident, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        incident = incident_get(user=signed_in(request.user), pk=int(kwargs["pk"]))
        serializer = IncidentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        base = values.pop("base", None)
        # An EditConflict answers 409 (protection.api.exception_handler); nothing is written.
        incident_update(
            actor=signed_in(request.user),
            incident=incident,
            base=edits.comparable_all(base) if base is not None else None,
            **values,
        )
        return self._answer(incident_get(user=signed_in(request.user), pk=incident.pk))


@extend_schema_view(
    list=extend_schema(summary=_("List the alerts the caller received, newest first")),
    retrieve=extend_schema(summary=_("Show an alert the caller received")),
)
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProtectedViewSet[Alert]):
    """Alerts sent to the caller (or, for a partner system, to its agency's webhooks)."""

    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.RECEIVE_ALERTS,
        "retrieve": Action.RECEIVE_ALERTS,
        "acknowledge": Action.RECEIVE_ALERTS,
    }

    def get_queryset(self) -> QuerySet[Alert]:
        return alert_list(user=signed_in(self.request.user))

    @extend_schema(
        summary=_("Acknowledge an alert: you will act, escalation stops"),
        description=_("Acknowledging an alert already acknowledged changes nothing."),
        request=None,
        responses=AlertSerializer,
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str) -> Response:
        alert = alert_get(user=signed_in(request.user), pk=int(pk))
        try:
            alert = alert_acknowledge(actor=signed_in(request.user), alert=alert)
        except PermissionDenied as denied:
            raise Http404 from denied
        return Response(AlertSerializer(alert_get(user=signed_in(request.user), pk=alert.pk)).data)
