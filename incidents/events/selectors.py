"""Reads of linked reports: which incidents are probably the same event, and an event's reports.

A suggestion is computed on the server, in one SQL query that starts from the incidents the
user may see (access.incidents_for): a candidate happened at the same site or within
`NEARBY_KM` (by its own coordinates or its site's), within `WINDOW` of the incident (each date
read as the span its precision allows: an hour, a day, a month), and is of the same type or of
the same taxonomy. The query narrows on `occurred_at` first (one index range per precision, see
the incident_precision_when_idx index), so it does not grow with the number of incidents.
A restricted (GBV) incident is suggested only to who may see its details. The suggestions
shown are logged as read ("shown as a possible duplicate").
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import (
    BooleanField,
    Case,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ACos, Cast, Coalesce, Cos, Greatest, Least, Radians, Sin
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from incidents.models import DatePrecision, Incident
from protection import access
from protection.access import Action
from protection.models import AccessPurpose
from protection.reads import log_read

if TYPE_CHECKING:
    from protection.accounts.models import User

WINDOW = datetime.timedelta(hours=48)
NEARBY_KM = 5.0
LIMIT = 10
EARTH_KM = 6371.0
# How long a date of each precision may stand for, from its start.
SPAN = {
    DatePrecision.EXACT: datetime.timedelta(0),
    DatePrecision.DAY: datetime.timedelta(days=1),
    DatePrecision.MONTH: datetime.timedelta(days=31),
}


@dataclass(frozen=True)
class Suggestion:
    """A report that is probably the same event, and why: place, time and type in words."""

    incident: Incident
    reasons: list[str]

    @property
    def explanation(self) -> str:
        return ", ".join(self.reasons)


def _point(incident: Incident) -> tuple[float, float] | None:
    if incident.latitude is not None and incident.longitude is not None:
        return float(incident.latitude), float(incident.longitude)
    site = incident.site
    if site is not None and site.latitude is not None and site.longitude is not None:
        return float(site.latitude), float(site.longitude)
    return None


def _visible_candidates(user: "User", incident: Incident) -> QuerySet[Incident]:
    """The incidents the user may see that could be linked to `incident`."""
    candidates = access.incidents_for(user).exclude(pk=incident.pk)
    if incident.event_id is not None:
        candidates = candidates.exclude(event_id=incident.event_id)
    agency = access.agency_of(user)
    if (
        agency is not None
        and access.incident_detail_allowed(user, incident)
        and (access.is_gbv_designated(user))
    ):
        # Designated staff may link their own agency's restricted reports, no one else's.
        return candidates.filter(
            Q(incident_type__restricted=False) | Q(reporting_agency_id=agency.pk)
        )
    return candidates.filter(incident_type__restricted=False)


def same_event_candidates(*, user: "User", incident: Incident) -> QuerySet[Incident]:
    """Return the incidents probably reporting the same event as `incident`, best first.

    Annotated with what explains each: same_site, same_type, gap (a duration) and distance
    (kilometres, or None without coordinates). Not logged: same_event_suggestions shows them.
    """
    start = incident.occurred_at
    end = start + SPAN[DatePrecision(incident.occurred_precision)]
    in_time = Q()
    for precision, span in SPAN.items():
        in_time |= Q(
            occurred_precision=precision,
            occurred_at__gte=start - WINDOW - span,
            occurred_at__lte=end + WINDOW,
        )
    same_site = Q(site_id=incident.site_id) if incident.site_id else Q(pk__in=[])
    candidates = (
        _visible_candidates(user, incident)
        .filter(in_time, incident_type__taxonomy=incident.incident_type.taxonomy)
        .select_related("incident_type", "site")
        .annotate(
            same_site=Case(When(same_site, then=Value(True)), default=Value(False)),
            same_type=Case(
                When(incident_type_id=incident.incident_type_id, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            gap=ExpressionWrapper(
                Greatest(F("occurred_at") - Value(start), Value(start) - F("occurred_at")),
                output_field=DurationField(),
            ),
        )
    )
    point = _point(incident)
    if point is None:
        candidates = candidates.filter(same_site).annotate(distance=Value(None, FloatField()))
    else:
        lat = Cast(Coalesce("latitude", "site__latitude"), FloatField())
        lon = Cast(Coalesce("longitude", "site__longitude"), FloatField())
        # The spherical law of cosines, clamped to [-1, 1] against rounding: kilometres.
        cosine = Sin(Radians(lat)) * Sin(Radians(Value(point[0]))) + Cos(Radians(lat)) * Cos(
            Radians(Value(point[0]))
        ) * Cos(Radians(lon) - Radians(Value(point[1])))
        distance = ACos(Greatest(Value(-1.0), Least(Value(1.0), cosine))) * Value(EARTH_KM)
        candidates = candidates.annotate(distance=distance).filter(
            same_site | Q(distance__lte=NEARBY_KM)
        )
    return candidates.order_by(
        "-same_site", "-same_type", "gap", F("distance").asc(nulls_last=True), "-pk"
    )


def same_event_suggestions(*, user: "User", incident: Incident) -> list[Suggestion]:
    """Return up to LIMIT incidents probably reporting the same event as `incident`, explained.

    `incident` comes from incident_get (so the user may see it); a restricted one whose details
    the user may not see gets no suggestions. One query; the rows shown are logged as read.
    """
    if not access.can(user, Action.VIEW_INCIDENTS):
        return []
    if incident.incident_type.restricted and not access.incident_detail_allowed(user, incident):
        return []
    rows = list(same_event_candidates(user=user, incident=incident)[:LIMIT])
    if rows:
        log_read(user=user, objects=rows, purpose=AccessPurpose.DUPLICATE_CHECK)
    return [Suggestion(incident=row, reasons=_reasons(incident, row)) for row in rows]


def _reasons(incident: Incident, row: Incident) -> list[str]:
    reasons = []
    if getattr(row, "same_site", False):
        reasons.append(_("same site"))
    else:
        km = Decimal(str(round(getattr(row, "distance", 0.0) or 0.0, 1)))
        reasons.append(_("%(km)s km apart") % {"km": km})
    reasons.append(_time_apart(incident, row, getattr(row, "gap", datetime.timedelta(0))))
    reasons.append(
        _("same type") if getattr(row, "same_type", False) else _("related type (same taxonomy)")
    )
    return reasons


def _time_apart(incident: Incident, row: Incident, gap: datetime.timedelta) -> str:
    """Say how far apart in time, no finer than the coarser of the two dates' precisions."""
    precisions = {incident.occurred_precision, row.occurred_precision}
    if DatePrecision.MONTH in precisions:
        return _("close in time (date known only to the month)")
    if DatePrecision.DAY in precisions:
        days = gap.days
        if days == 0:
            return _("same day")
        return ngettext("%(days)d day apart", "%(days)d days apart", days) % {"days": days}
    hours = round(gap.total_seconds() / 3600)
    if hours == 0:
        return _("less than an hour apart")
    return ngettext("%(hours)d hour apart", "%(hours)d hours apart", hours) % {"hours": hours}


def event_reports(*, user: "User", incident: Incident) -> list[Incident]:
    """Return the reports of the incident's event the user may see, primary first, or []."""
    if incident.event_id is None:
        return []
    rows = (
        access.incidents_for(user)
        .filter(event_id=incident.event_id)
        .select_related("incident_type", "site", "event", "reporting_agency")
        .order_by("pk")
    )
    reports = list(rows)
    reports.sort(key=lambda row: (row.event is None or row.event.primary_id != row.pk, row.pk))
    log_read(user=user, objects=reports, purpose=AccessPurpose.LIST)
    return reports
