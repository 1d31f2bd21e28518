"""The indicators of the mission per site and month, as JSON, CSV, HXL or XLSX (`?format=`)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, renderers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from protection.accounts.types import signed_in
from protection.api import ProtectionAutoSchema
from protection.monitoring.api.renderers import (
    IndicatorCsvRenderer,
    IndicatorHxlRenderer,
    IndicatorXlsxRenderer,
)
from protection.monitoring.api.serializers import IndicatorsSerializer
from protection.monitoring.forms import PeriodForm
from protection.monitoring.indicators import indicators
from protection.monitoring.presentation import publish_indicators
from protection.monitoring.published import small_count_threshold
from protection.monitoring.scope import figure_scope

# The file formats, downloaded under a name that says the period.
FILE_EXTENSIONS = {"csv": "csv", "hxl": "hxl.csv", "xlsx": "xlsx"}


class IndicatorsView(APIView):
    """The indicators of the caller's agency's sites, per site and month.

    One answer, not a list of records: no pagination. The role check is the figures' scope
    (monitoring.scope.figure_scope: a role that allows aggregated figures, else 403).
    """

    permission_classes = [permissions.IsAuthenticated]
    schema = ProtectionAutoSchema()
    renderer_classes = [
        renderers.JSONRenderer,
        IndicatorCsvRenderer,
        IndicatorHxlRenderer,
        IndicatorXlsxRenderer,
    ]

    def handle_exception(self, exc: Exception) -> Response:
        """Answer errors in JSON, whichever format was asked for the figures."""
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = "application/json"
        return super().handle_exception(exc)

    @extend_schema(
        summary=_("The mission's indicators per site and month"),
        description=_(
            "Time from an incident's report to the first acknowledgement of its alerts "
            "(median, 90th percentile), alerts acknowledged before their deadline, referrals "
            "answered within their deadline, time from a case's opening to its first "
            "assessment, and cases closed with a durable solution by solution. A caller who "
            "may not see the cases gets counts under the threshold as null."
        ),
        parameters=[
            OpenApiParameter(
                "first",
                OpenApiTypes.DATE,
                description=_("First day (default: six months ago, first of the month)."),
            ),
            OpenApiParameter(
                "last", OpenApiTypes.DATE, description=_("Last day, included (default: today).")
            ),
            OpenApiParameter(
                "site",
                OpenApiTypes.INT,
                many=True,
                description=_("Only these sites (repeat the parameter)."),
            ),
        ],
        responses={
            (200, "application/json"): IndicatorsSerializer,
            (200, "text/csv"): OpenApiTypes.STR,
            (200, IndicatorXlsxRenderer.media_type): OpenApiTypes.BINARY,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=_("A bad period or site: each parameter in error holds its messages."),
            ),
            404: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description=_("No such format: format= takes json, csv, hxl or xlsx."),
            ),
        },
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = signed_in(request.user)
        scope = figure_scope(user)
        form = PeriodForm(request.query_params, sites=scope.sites())
        if not form.is_valid():
            raise exceptions.ValidationError(
                {
                    field: [str(message) for message in errors]
                    for field, errors in form.errors.items()
                }
            )
        period = form.period()
        rows = indicators(scope=scope, period=period, site_ids=form.site_ids())
        data = {
            "first": period.first,
            "last": period.last,
            "suppressed": not scope.exact,
            "threshold": small_count_threshold(),
            "results": publish_indicators(rows, exact=scope.exact),
        }
        response = Response(IndicatorsSerializer(data).data)
        extension = FILE_EXTENSIONS.get(request.accepted_renderer.format)
        if extension:
            name = f"indicators-{period.first.isoformat()}-{period.last.isoformat()}.{extension}"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
