"""What the incident list gives to exports and statistics.

Figures count the incidents the agency sees (its own, and the anonymised ones in its sites) by
site, type and week. Individual rows are the reporting agency's own incidents only, restricted
(GBV) types only for its GBV-designated staff, and hold no narrative: no description, no
actions taken, no place typed in free text, no coordinates, no identified victim.
"""

import datetime
from collections.abc import Mapping

from django.db.models import QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.filters import IncidentFilter
from incidents.models import Incident, event_key
from protection import access
from protection.accounts.models import User
from protection.datasets import (
    Dataset,
    Dimension,
    Figures,
    Listing,
    count_by,
    register_dataset,
)
from protection.exporting import Column
from protection.roles import Action

NO_SITE = "-"


def _figure_rows(user: User) -> QuerySet[Incident]:
    incidents: QuerySet[Incident] = access.figures_for(access.Records.INCIDENTS, user)
    return incidents


def _week_key(code: str, site: str | None, week: datetime.datetime) -> tuple[str, ...]:
    return (code, site or NO_SITE, week.date().isoformat())


def _count(incidents: QuerySet[Incident]) -> Mapping[tuple[str, ...], int]:
    # Reports linked as one event count once (incidents.models.events.event_key).
    weekly = incidents.annotate(
        week=TruncWeek("occurred_at", tzinfo=timezone.get_current_timezone()),
        counted=event_key(),
    )
    return count_by(
        weekly,
        "incident_type__code",
        "site__name",
        "week",
        key=_week_key,
        distinct=True,
        counted="counted",
    )


def _incidents(user: User) -> QuerySet[Incident]:
    """The agency's own incidents; restricted (GBV) types only for its designated staff."""
    agency = access.agency_of(user)
    if agency is None or not access.can(user, Action.VIEW_INCIDENT_DETAILS):
        return Incident.objects.none()
    own = access.incidents_for(user).filter(reporting_agency_id=agency.pk)
    if not access.is_gbv_designated(user):
        own = own.filter(incident_type__restricted=False)
    return own


def _local_day(moment: datetime.datetime) -> datetime.date:
    """The day an incident occurred on, in the mission's time zone, whatever the precision."""
    return moment.astimezone(timezone.get_current_timezone()).date()


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
            Column(_("Reference"), "#event+id", "reference"),
            Column(_("Incident type"), "#event+type", "incident_type__code"),
            Column(_("Taxonomy"), "#event+taxonomy", "incident_type__taxonomy"),
            Column(_("Severity"), "#severity", "severity"),
            Column(_("Occurred on"), "#date+occurred", "occurred_at", convert=_local_day),
            Column(_("Date precision"), "#date+precision", "occurred_precision"),
            Column(_("Site"), "#loc+name", "site__name"),
            Column(_("Admin level 1"), "#adm1+name", "admin1"),
            Column(_("Admin level 2"), "#adm2+name", "admin2"),
            Column(_("Girls"), "#affected+f+children", "female_children"),
            Column(_("Boys"), "#affected+m+children", "male_children"),
            Column(_("Women"), "#affected+f+adults", "female_adults"),
            Column(_("Men"), "#affected+m+adults", "male_adults"),
            Column(_("Sex or age unknown"), "#affected+unknown", "sex_or_age_unknown"),
            Column(_("Perpetrator category"), "#group+perpetrator", "perpetrator_category__code"),
            Column(_("Source of information"), "#meta+source", "source"),
            Column(_("Verification"), "#status+verification", "verification"),
            Column(_("Status"), "#status+incident", "status"),
            Column(_("Reporting agency"), "#org+name", "reporting_agency__acronym"),
        ),
        rows=_incidents,
    ),
)


def register() -> None:
    register_dataset(INCIDENTS)
