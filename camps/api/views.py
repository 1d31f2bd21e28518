"""The sites API: every role that may see sites reads them; a site's managers change it."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from camps.api.serializers import SiteDetailSerializer, SiteSerializer, SiteWriteSerializer
from camps.filters import SiteFilter
from camps.models import Site
from camps.selectors import site_list, site_population
from camps.services import site_create, site_update
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet


@extend_schema_view(
    list=extend_schema(summary=_("List the sites the caller's agency works in")),
    retrieve=extend_schema(summary=_("Show a site with its population by sex and age")),
    create=extend_schema(
        summary=_("Create a site managed by the caller's agency"),
        request=SiteWriteSerializer,
        responses={201: SiteDetailSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a site the caller's agency manages"),
        request=SiteWriteSerializer(partial=True),
        responses={200: SiteDetailSerializer},
    ),
)
class SiteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    ProtectedViewSet[Site],
):
    """Camps, collective centres, PoC sites and host areas, with population against capacity."""

    filterset_class = SiteFilter
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.VIEW_SITES,
        "retrieve": Action.VIEW_SITES,
        "create": Action.MANAGE_SITES,
        "partial_update": Action.MANAGE_SITES,
    }

    def get_queryset(self) -> QuerySet[Site]:
        """Return the sites of the caller's agency, with their active population."""
        return site_list(user=signed_in(self.request.user)).prefetch_related("operating_agencies")

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action in ("create", "partial_update"):
            return SiteWriteSerializer
        if self.action == "retrieve":
            return SiteDetailSerializer
        return SiteSerializer

    def _detail_response(self, site: Site, code: int = status.HTTP_200_OK) -> Response:
        site = self.get_queryset().get(pk=site.pk)
        population = site_population(site=site)
        serializer = SiteDetailSerializer(
            site, context={**self.get_serializer_context(), "population": population}
        )
        return Response(serializer.data, status=code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Show a site with its population by sex and age group."""
        return self._detail_response(self.get_object())

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create a site through the service, which validates and audits it."""
        serializer = SiteWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        site = site_create(actor=signed_in(request.user), **serializer.validated_data)
        return self._detail_response(site, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the fields sent; leave the others as they are."""
        site = self.get_object()
        serializer = SiteWriteSerializer(
            data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        operating_agencies = changes.pop("operating_agencies", None)
        site_update(
            actor=signed_in(request.user),
            site=site,
            changes=changes,
            operating_agencies=operating_agencies,
        )
        return self._detail_response(site)
