"""The dashboards: an officer's home, a site's situation, the mission; the monitoring report
as a printable page and as PDF."""

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest
from protection.monitoring import charts
from protection.monitoring.forms import PeriodForm
from protection.monitoring.indicators import indicators, months_back
from protection.monitoring.presentation import PublishedRow, publish_indicators
from protection.monitoring.report import monitoring_report
from protection.monitoring.scope import FigureScope, figure_scope
from protection.monitoring.situation import (
    Situation,
    incidents_by_week,
    officer_work,
    population_trend,
    situation,
)

DASHBOARD_MONTHS = 3


def _charts(scope: FigureScope, current: Situation, now: datetime.datetime) -> dict[str, Any]:
    """Return the charts of a situation: population, open cases by risk, incidents by week."""
    ids = [row.site.pk for row in current.sites]
    trend = population_trend(site_ids=ids, today=timezone.localdate(now))
    weeks = incidents_by_week(scope=scope, site_ids=ids, now=now)
    expected = [row.expected_7d for row in current.sites]
    baseline = None if any(value is None for value in expected) else sum(e or 0 for e in expected)
    return {
        "population_chart": charts.line_chart(
            [(day.isoformat(), people) for day, people in trend],
            title=_("Registered population, last 90 days"),
        ),
        "risk_chart": charts.bar_chart(
            [(label, figure, f"risk-{value}") for value, label, figure in current.cases_by_risk()],
            title=_("Open cases by risk"),
        ),
        "weeks_chart": charts.bar_chart(
            [
                (
                    formats.date_format(week.last, "MONTH_DAY_FORMAT"),
                    week.count,
                    "current" if week.index == 0 else "",
                )
                for week in weeks
            ],
            title=_("Incidents per week, against the expected count"),
            reference=baseline,
            reference_label=_("Expected per week"),
        ),
        "weeks": weeks,
        "expected_7d": baseline,
    }


def _indicator_rows(scope: FigureScope, site_ids: list[int] | None) -> list[PublishedRow]:
    period = months_back(timezone.localdate(), DASHBOARD_MONTHS)
    rows = indicators(scope=scope, period=period, site_ids=site_ids)
    return publish_indicators(rows, exact=scope.exact)


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the officer's work waiting and the situation of their agency's sites."""
    access.require(request.user, Action.VIEW_CASES)
    scope = figure_scope(request.user)
    now = timezone.now()
    return render(
        request,
        "monitoring/home.html",
        {
            "work": officer_work(user=request.user, today=timezone.localdate(now), now=now),
            "situation": situation(scope=scope, now=now),
            "now": now,
        },
    )


@login_required
@require_GET
def site_situation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Show one site's situation; a site that is not the agency's is not found."""
    access.require(request.user, Action.VIEW_SITES)
    scope = figure_scope(request.user)
    site = get_object_or_404(scope.sites(), pk=pk)
    now = timezone.now()
    current = situation(scope=scope, sites=scope.sites().filter(pk=site.pk), now=now)
    return render(
        request,
        "monitoring/site_situation.html",
        {
            "situation": current,
            "row": current.sites[0],
            "indicators": _indicator_rows(scope, [site.pk]),
            **_charts(scope, current, now),
        },
    )


@login_required
@require_GET
def mission(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show every site of the agency side by side, with the mission's indicators."""
    access.require(request.user, Action.VIEW_MISSION)
    scope = figure_scope(request.user)
    now = timezone.now()
    current = situation(scope=scope, now=now)
    return render(
        request,
        "monitoring/mission.html",
        {
            "situation": current,
            "indicators": _indicator_rows(scope, None),
            **_charts(scope, current, now),
        },
    )


def _report_context(request: AuthenticatedHttpRequest) -> tuple[PeriodForm, dict[str, Any]]:
    access.require(request.user, Action.VIEW_MISSION)
    scope = figure_scope(request.user)
    form = PeriodForm(request.GET or None, sites=scope.sites())
    if request.GET and not form.is_valid():
        return form, {"form": form}
    if not request.GET:
        form = PeriodForm({}, sites=scope.sites())
        form.is_valid()
    report = monitoring_report(scope=scope, period=form.period(), site_ids=form.site_ids())
    by_month = charts.bar_chart(
        [
            (formats.date_format(month, "YEAR_MONTH_FORMAT"), figure, "")
            for month, figure in report.month_rows()
        ],
        title=_("Verified incidents per month"),
    )
    return form, {"form": form, "report": report, "month_chart": by_month}


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Show the protection monitoring report of a period and sites, ready to print."""
    form, context = _report_context(request)
    status = 400 if form.errors else 200
    return render(request, "monitoring/report.html", context, status=status)


@login_required
@require_GET
def report_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Download the protection monitoring report as PDF, in the user's language."""
    from protection.monitoring.pdf import html_to_pdf

    form, context = _report_context(request)
    if form.errors:
        return render(request, "monitoring/report.html", context, status=400)
    html = render_to_string("monitoring/report_document.html", context, request=request)
    report_data = context["report"]
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="protection-monitoring-'
        f'{report_data.period.first:%Y%m%d}-{report_data.period.last:%Y%m%d}.pdf"'
    )
    return response
