"""/api/v1/safe-zones/ and /api/v1/corridors/: the zones and corridors of the agency's sites.

Every role that sees sites reads them (a partner system plans its convoys by them); the agency's
supervisors and administrators draw zones, trace corridors and decide a corridor's status, through
the same services as the pages. Deciding a status (POST .../status/) is safe to retry under an
Idempotency-Key. Another agency's zone or corridor is not found.
"""

from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from camps.models import Site
from incidents.models import Corridor, CorridorStatus, CorridorStatusChange, SafeZone
from incidents.zones import selectors, services
from protection import access
from protection.access import Action
from protection.accounts.models import User
from protection.accounts.types import signed_in
from protection.api_creates import ServiceCreateViewSet


@extend_schema_field(OpenApiTypes.INT)
class _SiteField(serializers.PrimaryKeyRelatedField):  # type: ignore[type-arg]
    def get_queryset(self) -> QuerySet[Site]:
        return access.sites_for(self.context["request"].user)


class SafeZoneSerializer(serializers.ModelSerializer[SafeZone]):
    site_code = serializers.CharField(source="site.code", read_only=True)

    class Meta:
        model = SafeZone
        fields = ["id", "name", "site", "site_code", "boundary", "active", "updated_at"]
        read_only_fields = fields


class SafeZoneCreateSerializer(serializers.Serializer[Any]):
    site = _SiteField()
    name = serializers.CharField(max_length=200)
    boundary = serializers.JSONField(help_text=_("A GeoJSON Polygon or MultiPolygon."))


class CorridorChangeSerializer(serializers.ModelSerializer[CorridorStatusChange]):
    decided_by = serializers.CharField(source="decided_by.username", read_only=True)
    previous_status = serializers.CharField(
        read_only=True, help_text=_("Empty for the status the corridor was traced with.")
    )

    class Meta:
        model = CorridorStatusChange
        fields = ["id", "status", "previous_status", "reason", "decided_by", "decided_at"]
        read_only_fields = fields


class CorridorSerializer(serializers.ModelSerializer[Corridor]):
    site_code = serializers.CharField(source="site.code", read_only=True)

    class Meta:
        model = Corridor
        fields = [
            "id",
            "code",
            "name",
            "site",
            "site_code",
            "destination_site",
            "destination_name",
            "route",
            "status",
            "status_changed_at",
        ]
        read_only_fields = fields


class CorridorDetailSerializer(CorridorSerializer):
    history = CorridorChangeSerializer(many=True, read_only=True)

    class Meta(CorridorSerializer.Meta):
        fields = [*CorridorSerializer.Meta.fields, "history"]
        read_only_fields = fields


class CorridorCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    site = _SiteField()
    destination_site = _SiteField(required=False, allow_null=True, default=None)
    destination_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    route = serializers.JSONField(help_text=_("A GeoJSON LineString."))
    status = serializers.ChoiceField(choices=CorridorStatus.choices, default=CorridorStatus.OPEN)
    reason = serializers.CharField(max_length=1000)


class CorridorStatusSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=CorridorStatus.choices)
    reason = serializers.CharField(max_length=1000)


@extend_schema_view(
    list=extend_schema(summary=_("List the safe zones of the agency's sites")),
    retrieve=extend_schema(summary=_("Read a safe zone and its boundary")),
    create=extend_schema(
        summary=_("Draw a safe zone at a site of the agency"),
        request=SafeZoneCreateSerializer,
        responses={201: SafeZoneSerializer},
    ),
)
class SafeZoneViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateViewSet[SafeZone],
):
    serializer_class = SafeZoneSerializer
    create_serializer_class = SafeZoneCreateSerializer
    ordering_fields = ["id", "name"]
    ordering = ["name", "id"]
    required_actions = {
        "list": Action.VIEW_SITES,
        "retrieve": Action.VIEW_SITES,
        "create": Action.MANAGE_SAFE_PASSAGE,
    }

    def get_queryset(self) -> QuerySet[SafeZone]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return SafeZone.objects.none()
        return selectors.safe_zone_list(user=signed_in(self.request.user))

    def create_record(self, *, actor: User, data: dict[str, Any]) -> SafeZone:
        return services.safe_zone_create(actor=actor, **data)

    def answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        found = selectors.safe_zone_get(user=signed_in(self.request.user), pk=pk)
        return Response(SafeZoneSerializer(found).data, status=code)


class CorridorFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CorridorStatus.choices)
    site = django_filters.NumberFilter(field_name="site_id")

    class Meta:
        model = Corridor
        fields = ["status", "site"]


@extend_schema_view(
    list=extend_schema(summary=_("List the corridors leaving the agency's sites, with status")),
    retrieve=extend_schema(
        summary=_("Read a corridor with its status history"), responses=CorridorDetailSerializer
    ),
    create=extend_schema(
        summary=_("Trace a corridor from a site of the agency"),
        request=CorridorCreateSerializer,
        responses={201: CorridorDetailSerializer},
    ),
)
class CorridorViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ServiceCreateViewSet[Corridor],
):
    serializer_class = CorridorSerializer
    create_serializer_class = CorridorCreateSerializer
    ordering_fields = ["id", "name"]
    ordering = ["name", "id"]
    filterset_class = CorridorFilter
    required_actions = {
        "list": Action.VIEW_SITES,
        "retrieve": Action.VIEW_SITES,
        "create": Action.MANAGE_SAFE_PASSAGE,
        "change_status": Action.MANAGE_SAFE_PASSAGE,
    }

    def get_queryset(self) -> QuerySet[Corridor]:
        if getattr(self, "swagger_fake_view", False):  # the schema's generation
            return Corridor.objects.none()
        return selectors.corridor_list(user=signed_in(self.request.user))

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "change_status":
            return CorridorStatusSerializer
        return super().get_serializer_class()

    def create_record(self, *, actor: User, data: dict[str, Any]) -> Corridor:
        status_value, reason = data.pop("status"), data.pop("reason")
        return services.corridor_create(
            actor=actor, data=services.CorridorData(**data), status=status_value, reason=reason
        )

    def answer(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        corridor = selectors.corridor_get(user=signed_in(self.request.user), pk=pk)
        return Response(CorridorDetailSerializer(corridor).data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.answer(int(kwargs["pk"]))

    @extend_schema(
        summary=_("Decide a corridor's status: open, restricted or closed, and why"),
        description=_(
            "Keeps the decision in the corridor's history and tells the subscribed agencies "
            "(in the app, by e-mail) and the corridor.status_changed webhooks."
        ),
        request=CorridorStatusSerializer,
        responses=CorridorDetailSerializer,
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, pk: str) -> Response:
        corridor = selectors.corridor_get(user=signed_in(request.user), pk=int(pk))
        serializer = CorridorStatusSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.corridor_status_change(
                actor=signed_in(request.user), corridor=corridor, **serializer.validated_data
            )
        except PermissionDenied as denied:
            raise Http404 from denied
        return self.answer(corridor.pk)
