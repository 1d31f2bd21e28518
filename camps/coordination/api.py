"""/api/v1/who-does-what-where/: the 3W as JSON, CSV or HXL (`?format=`)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, renderers, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from camps.coordination.selectors import Cell, who_what_where
from camps.coordination.tables import COLUMNS, rows
from partners.models import Sector
from protection.accounts.types import signed_in
from protection.api import ProtectionAutoSchema
from protection.table_renderers import TableRenderer


class QuerySerializer(serializers.Serializer[Any]):
    site = serializers.IntegerField(required=False, min_value=1)
    sector = serializers.SlugRelatedField(
        slug_field="code", queryset=Sector.objects.filter(active=True), required=False
    )
    gaps = serializers.BooleanField(required=False, default=False)


class ServiceHereSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="service_id")
    name = serializers.CharField(source="service")
    agency = serializers.CharField()
    agency_name = serializers.CharField()
    accepting_referrals = serializers.BooleanField()
    everywhere = serializers.BooleanField(help_text="The service lists no site: it serves all.")


class CellSerializer(serializers.Serializer[Cell]):
    site = serializers.SerializerMethodField()
    sector = serializers.SerializerMethodField()
    gap = serializers.BooleanField(help_text="No active service of this sector at this site.")
    services = ServiceHereSerializer(source="presences", many=True)

    def get_site(self, cell: Cell) -> dict[str, Any]:
        site = cell.site
        return {"id": site.pk, "code": site.code, "name": site.name, "admin1": site.admin1}

    def get_sector(self, cell: Cell) -> dict[str, str]:
        return {"code": cell.sector.code, "label": cell.sector.label}


class WhoWhatWhereSerializer(serializers.Serializer[Any]):
    sites = serializers.IntegerField()
    gaps = serializers.IntegerField()
    results = CellSerializer(many=True)


def _table(data: Any) -> tuple[Any, Any] | None:
    if not isinstance(data, dict) or "results" not in data:
        return None
    return COLUMNS, rows(data["results"])


class CsvRenderer(TableRenderer):
    table_of = staticmethod(_table)


class HxlRenderer(CsvRenderer):
    format = "hxl"
    hxl = True


class WhoWhatWhereView(APIView):
    """Who does what where in the caller's agency's sites: one answer, no pagination."""

    permission_classes = [permissions.IsAuthenticated]
    schema = ProtectionAutoSchema()
    renderer_classes = [renderers.JSONRenderer, CsvRenderer, HxlRenderer]

    def handle_exception(self, exc: Exception) -> Response:
        """Answer errors in JSON, whichever format was asked for."""
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)

    @extend_schema(
        summary=_("Who does what where: services by site and sector, with the gaps"),
        parameters=[
            OpenApiParameter("site", OpenApiTypes.INT, description=_("Only this site.")),
            OpenApiParameter("sector", OpenApiTypes.STR, description=_("Only this sector code.")),
            OpenApiParameter(
                "gaps", OpenApiTypes.BOOL, description=_("Only the sites and sectors with none.")
            ),
        ],
        responses={
            (200, "application/json"): WhoWhatWhereSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT, description=_("A bad filter: each holds its messages.")
            ),
            404: OpenApiResponse(
                OpenApiTypes.OBJECT, description=_("The site is not one of the agency's.")
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = QuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        sector = data.get("sector")
        table = who_what_where(
            user=signed_in(request.user),
            site_id=data.get("site"),
            sector_code=sector.code if sector is not None else "",
            gaps_only=data["gaps"],
        )
        answer = {"sites": table.sites, "gaps": len(table.gaps), "results": table.cells}
        response = Response(WhoWhatWhereSerializer(answer).data)
        if request.accepted_renderer.format in ("csv", "hxl"):
            extension = "hxl.csv" if request.accepted_renderer.format == "hxl" else "csv"
            response["Content-Disposition"] = f'attachment; filename="3w.{extension}"'
        return response
