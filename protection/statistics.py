"""/api/v1/statistics/: the apps' figures, small counts suppressed, as JSON or HXL CSV.

Each statistic is a dataset's figures (protection.datasets): population by site, sex, age
group, specific needs and displacement status; incidents by type, site and week; cases by
type, risk and status; referrals by service and outcome. The caller's agency is the scope
(access.figures_for): a partner counts its own records, never another agency's. The list
page's filters narrow the figures (`?site=3`). `?format=hxl` answers the same figures as HXL:
CSV with a row of hashtags under the header, which HXL tools (libhxl, HDX) read as the schema.

Counting and suppressing a table of tens of thousands of cells takes seconds at a million
people, so the suppressed table is kept in the cache for STATISTICS_CACHE_SECONDS per
statistic, scope (the agency and the sites it counts), filters, day and threshold: a figure is
at most that old, and nothing outside the scope can be answered from another scope's entry.
The cache fails open (protection/cache.py): without it every request counts afresh.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from protection import access
from protection.api import FIELD_ERRORS, ProtectionAutoSchema
from protection.datasets import Dataset, FilterError, figures_table, statistics
from protection.exporting import Column
from protection.figures import SuppressedTable
from protection.roles import Action
from protection.table_renderers import TableRenderer


class DimensionSerializer(serializers.Serializer[None]):
    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.label
    hxl = serializers.CharField(help_text="The HXL hashtag and attributes of the column.")


class FigureSerializer(serializers.Serializer[None]):
    key = serializers.DictField(
        child=serializers.CharField(),
        help_text='One value per dimension; "*" is the total along that dimension.',
    )
    count = serializers.IntegerField(allow_null=True, help_text="Null when suppressed.")
    display = serializers.CharField(help_text='The figure as shown: "12", "0" or "<5".')
    suppressed = serializers.BooleanField()
    total = serializers.BooleanField(help_text="Whether the figure is a total.")


class StatisticSerializer(serializers.Serializer[None]):
    name = serializers.CharField()
    threshold = serializers.IntegerField(help_text='Counts below this are shown as "<N".')
    dimensions = DimensionSerializer(many=True)
    count = DimensionSerializer()
    figures = FigureSerializer(many=True)


class StatisticIndexSerializer(serializers.Serializer[None]):
    name = serializers.CharField()
    title = serializers.CharField()
    dimensions = DimensionSerializer(many=True)
    count = DimensionSerializer()


def _figures_table(data: Any) -> tuple[list[Column], Any] | None:
    """Return a statistic's answer as a table: one row per figure, totals named."""
    if not isinstance(data, dict) or "figures" not in data:  # an error body
        return None
    dimensions = data["dimensions"]
    columns = [Column(item["label"], item["hxl"]) for item in dimensions]
    columns.append(Column(data["count"]["label"], data["count"]["hxl"]))
    total = _("Total")
    rows = (
        [
            *(
                total if figure["key"][d["name"]] == "*" else figure["key"][d["name"]]
                for d in dimensions
            ),
            figure["display"] if figure["count"] is None else figure["count"],
        ]
        for figure in data["figures"]
    )
    return columns, rows


class HxlRenderer(TableRenderer):
    """Render a statistic as HXL CSV (header row, hashtag row, one row per figure)."""

    format = "hxl"
    hxl = True
    table_of = staticmethod(_figures_table)


def _cache_key(data: Dataset, user: Any, filters: Mapping[str, list[str]]) -> str:
    """Return the cache key of a statistic for the user's scope and the filters asked."""
    agency = access.agency_of(user)
    sites = sorted(access.sites_for(user).values_list("pk", flat=True))
    scope = {
        "statistic": data.name,
        "agency": agency.pk if agency is not None else None,
        "sites": sites,
        "user": user.pk if data.filterset_takes_user else None,  # filters of the user's own
        "filters": {name: sorted(values) for name, values in sorted(filters.items())},
        "day": timezone.localdate().isoformat(),  # age groups and weeks move with the day
        "threshold": settings.PROTECTION_SMALL_COUNT_THRESHOLD,
    }
    digest = hashlib.sha256(json.dumps(scope, sort_keys=True).encode()).hexdigest()
    return f"statistics:v2:{digest}"


def _published(data: Dataset, table: SuppressedTable) -> dict[str, Any]:
    """Return the table's threshold and figures as plain values (JSON-ready, quick to cache)."""
    assert data.figures is not None
    names = [d.name for d in data.figures.dimensions]
    return {
        "threshold": table.threshold,
        "figures": [
            {
                "key": dict(zip(names, figure.key, strict=True)),
                "count": figure.count,
                "display": figure.display,
                "suppressed": figure.suppressed,
                "total": figure.is_total,
            }
            for figure in table
        ],
    }


def statistic_figures(data: Dataset, user: Any, filters: Mapping[str, list[str]]) -> dict[str, Any]:
    """Return the statistic's suppressed figures, from the cache when counted lately.

    The cache holds plain values, not the table's objects: reading back 70,000 dataclasses
    costs a second, the same figures as dicts a tenth of it.
    """
    seconds = settings.STATISTICS_CACHE_SECONDS
    key = _cache_key(data, user, filters) if seconds > 0 else ""
    if key:
        published = cache.get(key)
        if isinstance(published, dict):
            return published
    published = _published(data, figures_table(data, user=user, filters=filters))
    if key:
        cache.set(key, published, timeout=seconds)
    return published


def _dimension(name: str, label: Any, hxl: str) -> dict[str, str]:
    return {"name": name, "label": str(label), "hxl": hxl}


class StatisticsView(APIView):
    """The statistics published, with their dimensions and HXL hashtags."""

    permission_classes = [permissions.IsAuthenticated]
    schema = ProtectionAutoSchema()

    @extend_schema(responses={200: StatisticIndexSerializer(many=True)})
    def get(self, request: Request) -> Response:
        if not access.can(request.user, Action.VIEW_AGGREGATES):
            raise PermissionDenied
        body = []
        for name, data in statistics().items():
            assert data.figures is not None
            body.append(
                {
                    "name": name,
                    "title": str(data.title),
                    "dimensions": [
                        _dimension(d.name, d.label, d.hxl) for d in data.figures.dimensions
                    ],
                    "count": _dimension("count", data.figures.count_label, data.figures.count_hxl),
                }
            )
        return Response(body)


class StatisticView(APIView):
    """One statistic's figures for the caller's agency, narrowed by the list's filters."""

    permission_classes = [permissions.IsAuthenticated]
    renderer_classes = [JSONRenderer, HxlRenderer]
    schema = ProtectionAutoSchema()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "name",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=sorted(statistics()),
                description="population, incidents, cases or referrals",
            ),
            OpenApiParameter(
                "format",
                OpenApiTypes.STR,
                enum=["json", "hxl"],
                description="hxl: the figures as HXL CSV (text/csv).",
            ),
        ],
        responses={
            200: OpenApiResponse(
                StatisticSerializer,
                description="The figures, every total included, small counts suppressed.",
            ),
            400: FIELD_ERRORS,
        },
    )
    def get(self, request: Request, name: str) -> Response:
        if not access.can(request.user, Action.VIEW_AGGREGATES):
            raise PermissionDenied
        data = statistics().get(name)
        if data is None:
            raise Http404
        assert data.figures is not None
        filters = {
            key: request.query_params.getlist(key)
            for key in request.query_params
            if key != "format"
        }
        try:
            published = statistic_figures(data, request.user, filters)
        except FilterError as error:
            raise serializers.ValidationError(error.errors) from None
        dimensions = [_dimension(d.name, d.label, d.hxl) for d in data.figures.dimensions]
        body = {
            "name": name,
            "threshold": published["threshold"],
            "dimensions": dimensions,
            "count": _dimension("count", data.figures.count_label, data.figures.count_hxl),
            "figures": published["figures"],
        }
        response = Response(body)
        if (
            getattr(request, "accepted_renderer", None)
            and request.accepted_renderer.format == "hxl"
        ):
            response["Content-Disposition"] = f'attachment; filename="{name}.hxl.csv"'
        return response


urlpatterns = [
    path("", StatisticsView.as_view(), name="statistics"),
    path("<str:name>/", StatisticView.as_view(), name="statistic"),
]
