"""What the incident list gives to exports and statistics.

Figures count the incidents the agency sees (its own, and the anonymised ones in its sites) by
site, type and week. Individual rows are the reporting agency's own incidents only, restricted
(GBV) types only for its GBV-designated staff, and hold no narrative: no description, no
actions taken, no place typed in free text, no coordinates, no identified victim.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.filters import IncidentFilter
from incidents.models import Incident
from protection import access
from protection.accounts.models import User
from protection.datasets import Dataset, Dimension, Figures, Listing, register_dataset
from protection.exporting import Column
from protection.roles import Action

NO_SITE = "-"


def _figure_rows(user: User) -> QuerySet[Incident]:
    incidents: QuerySet[Incident] = access.figures_for(access.Records.INCIDENTS, user)
    return incidents


def _count(incidents: QuerySet[Incident]) -> Mapping[tuple[str, ...], int]:
    rows = (
        incidents.order_by()
        .annotate(week=TruncWeek("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values_list("incident_type__code", "site__name", "week")
        .annotate(incidents=Count("id"))
    )
    counts: dict[tuple[str, ...], int] = defaultdict(int)
    for code, site, week, number in rows:
        counts[(code, site or NO_SITE, week.date().isoformat())] += number
    return counts


def _incidents(user: User) -> QuerySet[Incident]:
    """The agency's own incidents; restricted (GBV) types only for its designated staff."""
    agency = access.agency_of(user)
    if agency is None or not access.can(user, Action.VIEW_INCIDENT_DETAILS):
        return Incident.objects.none()
    own = access.incidents_for(user).filter(reporting_agency_id=agency.pk)
    if not access.is_gbv_designated(user):
        own = own.filter(incident_type__restricted=False)
    return own


def _render(chunk: list[tuple[Any, ...]]) -> list[Sequence[Any]]:
    zone = timezone.get_current_timezone()
    rows: list[Sequence[Any]] = []
    for row in chunk:
        values = list(row[1:])
        values[4] = values[4].astimezone(zone).date()  # the day, whatever the precision
        rows.append(values)
    return rows


INCIDENTS = Dataset(
    name="incidents",
    title=_("Incidents"),
    view_action=Action.VIEW_INCIDENTS,
    filterset=IncidentFilter,
    list_url="incidents:list",
    statistic="incidents",
    figures=Figures(
        dimensions=(
            Dimension("incident_type", _("Incident type"), "#event+type"),
            Dimension("site", _("Site"), "#loc+name"),
            Dimension("week", _("Week starting"), "#date+week"),
        ),
        count_label=_("Incidents"),
        count_hxl="#event+num",
        rows=_figure_rows,
        count=_count,
    ),
    listing=Listing(
        model=Incident,
        columns=(
            Column(_("Reference"), "#event+id"),
            Column(_("Incident type"), "#event+type"),
            Column(_("Taxonomy"), "#event+taxonomy"),
            Column(_("Severity"), "#severity"),
            Column(_("Occurred on"), "#date+occurred"),
            Column(_("Date precision"), "#date+precision"),
            Column(_("Site"), "#loc+name"),
            Column(_("Admin level 1"), "#adm1+name"),
            Column(_("Admin level 2"), "#adm2+name"),
            Column(_("Girls"), "#affected+f+children"),
            Column(_("Boys"), "#affected+m+children"),
            Column(_("Women"), "#affected+f+adults"),
            Column(_("Men"), "#affected+m+adults"),
            Column(_("Sex or age unknown"), "#affected+unknown"),
            Column(_("Perpetrator category"), "#group+perpetrator"),
            Column(_("Source of information"), "#meta+source"),
            Column(_("Verification"), "#status+verification"),
            Column(_("Status"), "#status+incident"),
            Column(_("Reporting agency"), "#org+name"),
        ),
        fields=(
            "reference",
            "incident_type__code",
            "incident_type__taxonomy",
            "severity",
            "occurred_at",
            "occurred_precision",
            "site__name",
            "admin1",
            "admin2",
            "female_children",
            "male_children",
            "female_adults",
            "male_adults",
            "sex_or_age_unknown",
            "perpetrator_category__code",
            "source",
            "verification",
            "status",
            "reporting_agency__acronym",
        ),
        rows=_incidents,
        render=_render,
    ),
)


def register() -> None:
    register_dataset(INCIDENTS)
