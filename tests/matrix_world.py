"""Records the role matrices act on besides casework: incidents, alerts and the inbox, webhooks.

Alerts and notifications belong to the person who received them, so the world is built for one
recipient (the column's user); everything else belongs to the agency of the officer.
"""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from incidents.community.services import ConcernData, community_report_receive
from incidents.drills.services import DrillPlan, drill_start
from incidents.models import Alert, IncidentType
from protection.accounts.models import User
from protection.exports import export_dir
from protection.models import DataExport, ExportLevel, ExportStatus
from protection.notifications.models import Delivery, DeliveryChannel, Notification
from protection.notifications.services.sending import delivery_send
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests import factories
from tests.incidents.conftest import make_policy, report
from tests.incidents.zone_world import make_corridor, make_zone

WEBHOOK_URL = "https://hooks.partner.example.org/protection"


def alerting_world(*, agency: Any, site: Any, officer: User, recipient: User) -> dict[str, int]:
    """Report an incident at `site` that alerts `recipient` in the app; return the ids.

    Keys: incident, alert, notification (the recipient's), subscription (a webhook of the
    agency, registered by its partner system), community_report (sent about the site),
    same_attack (another report of the incident's attack, not linked yet), drill (the agency's,
    at the site), safe_zone and corridor (drawn at the site by a supervisor).
    """
    # A drill, started before the policy exists: its simulated incident raises no alert.
    drill = drill_start(
        actor=factories.UserFactory.create(agency=agency, role="supervisor"),
        plan=DrillPlan(
            site=site,
            scenario="Night attack at the market",
            incident_type=IncidentType.objects.get(code="abduction"),
            severity=3,
        ),
    )
    make_policy(tiers=[{"users": [recipient], "in_app": True}], minimum_severity=1)
    incident = report(officer, site=site).incident
    alert = Alert.objects.get(incident=incident)
    # Another report of the same attack, to link with the first (incidents.events).
    same_attack = report(officer, site=site).incident
    # The worker would send the in-app delivery; send it here, as the task does.
    for delivery in alert_deliveries(alert, recipient):
        delivery_send(delivery_id=delivery.pk)
    notification = Notification.objects.get(recipient=recipient, source_id=str(alert.pk))
    partner_system = factories.UserFactory.create(agency=agency, role="partner_api")
    subscription = webhook_subscription_create(
        actor=partner_system, url=WEBHOOK_URL, events=["alert.raised"]
    ).subscription
    community_report = community_report_receive(
        data=ConcernData(
            site=site,
            kind="violence",
            description="Threats at the water point.",
            occurred_on=timezone.localdate(),
            language="en",
        )
    )
    return {
        "incident": incident.pk,
        "alert": alert.pk,
        "notification": notification.pk,
        "subscription": subscription.pk,
        "community_report": community_report.pk,
        "same_attack": same_attack.pk,
        "drill": drill.pk,
        "safe_zone": make_zone(site).pk,
        "corridor": make_corridor(site).pk,
    }


def alert_deliveries(alert: Alert, recipient: User) -> "QuerySet[Delivery]":
    """Return the in-app deliveries of the alert to the recipient."""
    return Delivery.objects.filter(
        source_type="incidents.alert",
        source_id=str(alert.pk),
        recipient_user=recipient,
        channel=DeliveryChannel.IN_APP,
    )


def ready_export(user: User) -> int:
    """A background export of the user's, ready to download (its file written)."""
    export = DataExport.objects.create(
        user=user,
        dataset="people",
        level=ExportLevel.AGGREGATED,
        file_format="csv",
        status=ExportStatus.READY,
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    export.file_name = f"export-{export.pk}.csv"
    export.save(update_fields=["file_name"])
    (export_dir() / export.file_name).write_text("Site,People\r\n", encoding="utf-8")
    return export.pk
