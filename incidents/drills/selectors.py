"""Reads of drills: an agency's drills, and one drill's report of its alert chain.

The report is what the drill was for: for each alert of its simulated incidents, each person
each tier told, when they were told, the deadline the policy gave that tier, and whether and
when they acknowledged. It is computed from a fixed number of queries, whatever the drill's size.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Min, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from incidents.models import Alert, AlertStatus, Drill, EscalationTier, Incident
from protection import access
from protection.access import Action
from protection.accounts.models import User
from protection.notifications.models import Delivery

ALERT_SOURCE = "incidents.alert"


class Outcome:
    """How one person of one tier answered, in the report's words (codes)."""

    IN_TIME = "in_time"
    LATE = "late"
    OTHER = "other"  # someone else acknowledged the alert within this row's deadline
    MISSED = "missed"  # the deadline passed before anyone acknowledged
    WAITING = "waiting"


def drill_list(*, user: User) -> QuerySet[Drill]:
    """Return the drills of the user's agency, newest first; none for roles that run none."""
    access.require(user, Action.MANAGE_INCIDENTS)
    return (
        Drill.objects.filter(agency_id=user.agency_id)
        .select_related("site", "started_by", "ended_by")
        .annotate(incident_count=Count("incidents"))
        .order_by("-pk")
    )


def drill_get(*, user: User, pk: int) -> Drill:
    """Return one drill of the user's agency; another agency's is not found (404)."""
    return get_object_or_404(drill_list(user=user), pk=pk)


@dataclass(frozen=True)
class ResponseRow:
    """One person told of one drill alert at one tier."""

    alert_id: int
    incident_reference: str
    tier: int
    person: str
    person_id: int
    told_at: datetime.datetime
    deadline_at: datetime.datetime
    acknowledged_at: datetime.datetime | None
    minutes: float | None
    outcome: str

    @property
    def within_deadline(self) -> bool | None:
        if self.outcome == Outcome.IN_TIME:
            return True
        if self.outcome in (Outcome.LATE, Outcome.MISSED):
            return False
        return None


@dataclass(frozen=True)
class TierSummary:
    tier: int
    deadline_minutes: int | None
    told: int
    alerts: int
    acknowledged: int
    in_time: int
    median_minutes: float | None


@dataclass
class DrillReport:
    drill: Drill
    incidents: list[Incident]
    rows: list[ResponseRow] = field(default_factory=list)
    tiers: list[TierSummary] = field(default_factory=list)
    alerts: int = 0
    acknowledged: int = 0
    in_time: int = 0
    exhausted: int = 0
    escalations: int = 0
    median_minutes: float | None = None

    @property
    def incident_references(self) -> list[str]:
        return [incident.reference for incident in self.incidents]


def _minutes(start: datetime.datetime, end: datetime.datetime) -> float:
    return round((end - start).total_seconds() / 60, 1)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def drill_report(*, drill: Drill) -> DrillReport:
    """Measure the drill: per alert, tier and person, the time to acknowledge against the
    deadline of the tier that told them; per tier and overall, a summary."""
    now = timezone.now()
    incidents = list(drill.incidents.select_related("incident_type").order_by("pk"))
    alerts = {
        alert.pk: alert
        for alert in Alert.objects.filter(incident__drill=drill)
        .select_related("incident", "policy")
        .order_by("pk")
    }
    policy_ids = {alert.policy_id for alert in alerts.values() if alert.policy_id}
    deadlines = {
        (tier.policy_id, tier.level): tier.deadline_minutes
        for tier in EscalationTier.objects.filter(policy_id__in=policy_ids).select_related("policy")
    }
    told = (
        Delivery.objects.filter(
            source_type=ALERT_SOURCE,
            source_id__in=[str(pk) for pk in alerts],
            recipient_user__isnull=False,
        )
        .values("source_id", "recipient_user_id", "payload__tier")
        .annotate(told_at=Min("created_at"))
    )
    told_rows = list(told)
    people = {
        user.pk: str(user)
        for user in User.objects.filter(pk__in={row["recipient_user_id"] for row in told_rows})
    }
    # The acknowledgement answers the last tier that told the acknowledger before it.
    answered_tier: dict[int, int] = {}
    for row in told_rows:
        alert = alerts[int(row["source_id"])]
        if (
            alert.acknowledged_by_id == row["recipient_user_id"]
            and alert.acknowledged_at is not None
            and row["told_at"] <= alert.acknowledged_at
        ):
            tier = int(row["payload__tier"] or 1)
            answered_tier[alert.pk] = max(tier, answered_tier.get(alert.pk, 0))
    report = DrillReport(drill=drill, incidents=incidents)
    for row in told_rows:
        alert = alerts[int(row["source_id"])]
        tier = int(row["payload__tier"] or 1)
        minutes_allowed = deadlines.get((alert.policy_id or 0, tier), 0)
        deadline = row["told_at"] + datetime.timedelta(minutes=minutes_allowed)
        mine = (
            alert.acknowledged_by_id == row["recipient_user_id"]
            and answered_tier.get(alert.pk) == tier
        )
        acknowledged_at = alert.acknowledged_at if mine else None
        if mine and acknowledged_at is not None:
            outcome = Outcome.IN_TIME if acknowledged_at <= deadline else Outcome.LATE
        elif alert.acknowledged_at is not None:
            # Someone acknowledged: in time for this row's tier, or after its deadline.
            outcome = Outcome.OTHER if alert.acknowledged_at <= deadline else Outcome.MISSED
        else:
            outcome = Outcome.MISSED if now > deadline else Outcome.WAITING
        report.rows.append(
            ResponseRow(
                alert_id=alert.pk,
                incident_reference=alert.incident.reference if alert.incident else "",
                tier=tier,
                person=people.get(row["recipient_user_id"], ""),
                person_id=row["recipient_user_id"],
                told_at=row["told_at"],
                deadline_at=deadline,
                acknowledged_at=acknowledged_at,
                minutes=_minutes(row["told_at"], acknowledged_at) if acknowledged_at else None,
                outcome=outcome,
            )
        )
    report.rows.sort(key=lambda r: (r.alert_id, r.tier, r.told_at, r.person))
    _summarise(report, list(alerts.values()), deadlines)
    return report


def _summarise(
    report: DrillReport, alert_list: list[Alert], deadlines: dict[tuple[int, int], int]
) -> None:
    by_tier: dict[int, list[ResponseRow]] = defaultdict(list)
    for row in report.rows:
        by_tier[row.tier].append(row)
    answered = [row for row in report.rows if row.minutes is not None]
    report.alerts = len(alert_list)
    report.acknowledged = sum(1 for a in alert_list if a.status == AlertStatus.ACKNOWLEDGED)
    report.in_time = sum(1 for row in answered if row.outcome == Outcome.IN_TIME)
    report.exhausted = sum(1 for a in alert_list if a.status == AlertStatus.EXHAUSTED)
    report.median_minutes = _median([row.minutes for row in answered if row.minutes is not None])
    policy_of = {a.pk: a.policy_id for a in alert_list}
    for tier, rows in sorted(by_tier.items()):
        tier_answered = [row.minutes for row in rows if row.minutes is not None]
        policies = {policy_of[row.alert_id] for row in rows}
        allowed = {deadlines.get((p, tier)) for p in policies if p}
        report.tiers.append(
            TierSummary(
                tier=tier,
                deadline_minutes=allowed.pop() if len(allowed) == 1 else None,
                told=len({(row.alert_id, row.person_id) for row in rows}),
                alerts=len({row.alert_id for row in rows}),
                acknowledged=len(tier_answered),
                in_time=sum(1 for row in rows if row.outcome == Outcome.IN_TIME),
                median_minutes=_median(tier_answered),
            )
        )
    # An escalation is an alert reaching a tier after the first.
    report.escalations = sum(summary.alerts for summary in report.tiers if summary.tier > 1)
