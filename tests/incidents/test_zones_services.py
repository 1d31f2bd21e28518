"""Safe zones and corridors through their services: history, audit, notices, flagging."""

import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import Corridor, CorridorStatus, CorridorStatusChange, SafeZone
from incidents.zones.services import (
    corridor_status_change,
    corridor_subscribe,
    safe_zone_create,
    safe_zone_update,
)
from protection.models import AuditEvent
from protection.notifications.models import Delivery, DeliveryChannel
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests import factories
from tests.incidents.conftest import report
from tests.incidents.zone_world import SQUARE, make_corridor, make_zone, supervisor_of
from tests.matrix_world import WEBHOOK_URL

pytestmark = pytest.mark.django_db

REASON = "Armed group checkpoint at the bridge since dawn."


def test_changing_a_status_keeps_the_decision_and_audits_no_reason(site) -> None:
    supervisor = supervisor_of(site.managing_agency)
    corridor = make_corridor(site, supervisor)

    change = corridor_status_change(
        actor=supervisor, corridor=corridor, status=CorridorStatus.CLOSED, reason=REASON
    )

    corridor.refresh_from_db()
    assert corridor.status == CorridorStatus.CLOSED
    assert corridor.status_decided_by == supervisor
    history = list(CorridorStatusChange.objects.filter(corridor=corridor).order_by("id"))
    assert [(h.previous_status, h.status) for h in history] == [
        ("", CorridorStatus.OPEN),
        (CorridorStatus.OPEN, CorridorStatus.CLOSED),
    ]
    assert history[-1] == change and change.reason == REASON
    event = AuditEvent.objects.filter(action="corridor.status_change").get()
    assert event.changes["status"] == ["open", "closed"]
    assert "checkpoint" not in str(event.changes)


def test_subscribed_agencies_are_told_once_each_and_the_webhook_has_no_reason(
    agency, other_agency, site
) -> None:
    site.operating_agencies.add(other_agency)
    supervisor = supervisor_of(agency)
    corridor = make_corridor(site, supervisor)
    officer = factories.UserFactory.create(agency=other_agency, role="protection_officer")
    factories.UserFactory.create(agency=other_agency, role="case_worker")  # not told
    corridor_subscribe(actor=officer, corridor=corridor, in_app=True, email=False)
    corridor_subscribe(actor=supervisor, corridor=corridor)
    corridor_subscribe(actor=supervisor, corridor=corridor)  # twice: still one subscription
    partner_system = factories.UserFactory.create(agency=agency, role="partner_api")
    webhook = webhook_subscription_create(
        actor=partner_system, url=WEBHOOK_URL, events=["corridor.status_changed"]
    ).subscription

    corridor_status_change(
        actor=supervisor, corridor=corridor, status=CorridorStatus.RESTRICTED, reason=REASON
    )

    deliveries = Delivery.objects.filter(source_type="incidents.corridor")
    assert sorted(
        (d.channel, d.recipient_user_id or 0, d.subscription_id or 0) for d in deliveries
    ) == sorted(
        [
            (DeliveryChannel.IN_APP, officer.pk, 0),
            (DeliveryChannel.IN_APP, supervisor.pk, 0),
            (DeliveryChannel.EMAIL, supervisor.pk, 0),
            (DeliveryChannel.WEBHOOK, 0, webhook.pk),
        ]
    )
    sent = deliveries.get(channel=DeliveryChannel.WEBHOOK)
    assert sent.event == "corridor.status_changed"
    assert sent.payload["corridor"]["status"] == "restricted"
    assert sent.payload["corridor"]["previous_status"] == "open"
    assert "checkpoint" not in str(sent.payload) and "checkpoint" not in sent.body
    assert "checkpoint" in deliveries.get(recipient_user=officer).body
    assert "checkpoint" not in deliveries.get(channel=DeliveryChannel.EMAIL).body
    assert "Restricted" in sent.subject


def test_each_decision_tells_again(site) -> None:
    supervisor = supervisor_of(site.managing_agency)
    corridor = make_corridor(site, supervisor)
    corridor_subscribe(actor=supervisor, corridor=corridor, email=False)
    for status in (CorridorStatus.CLOSED, CorridorStatus.OPEN):
        corridor_status_change(actor=supervisor, corridor=corridor, status=status, reason=REASON)
    assert Delivery.objects.filter(recipient_user=supervisor).count() == 2


@pytest.mark.parametrize(
    ("status", "reason", "field"),
    [("gone", REASON, "status"), (CorridorStatus.CLOSED, "  ", "reason")],
)
def test_a_bad_decision_writes_nothing(site, status, reason, field) -> None:
    supervisor = supervisor_of(site.managing_agency)
    corridor = make_corridor(site, supervisor)
    with pytest.raises(ValidationError) as raised:
        corridor_status_change(actor=supervisor, corridor=corridor, status=status, reason=reason)
    assert field in raised.value.message_dict
    assert CorridorStatusChange.objects.count() == 1
    assert Corridor.objects.get().status == CorridorStatus.OPEN


@pytest.mark.parametrize("role", ["protection_officer", "case_worker", "partner_api", "analyst"])
def test_only_supervisors_and_admins_decide(site, role) -> None:
    corridor = make_corridor(site)
    actor = factories.UserFactory.create(agency=site.managing_agency, role=role)
    with pytest.raises(PermissionDenied):
        corridor_status_change(
            actor=actor, corridor=corridor, status=CorridorStatus.CLOSED, reason=REASON
        )


def test_another_agency_may_not_decide_nor_draw(site, other_agency) -> None:
    corridor = make_corridor(site)
    outsider = supervisor_of(other_agency)
    with pytest.raises(PermissionDenied):
        corridor_status_change(
            actor=outsider, corridor=corridor, status=CorridorStatus.CLOSED, reason=REASON
        )
    with pytest.raises(ValidationError) as raised:
        safe_zone_create(actor=outsider, site=site, name="Theirs", boundary=SQUARE)
    assert "site" in raised.value.message_dict
    assert not SafeZone.objects.exists()


def test_bad_geojson_is_refused_on_its_field_and_nothing_is_written(site) -> None:
    supervisor = supervisor_of(site.managing_agency)
    with pytest.raises(ValidationError) as raised:
        safe_zone_create(actor=supervisor, site=site, name="Zone", boundary='{"type": "Point"}')
    assert list(raised.value.message_dict) == ["boundary"]
    assert not SafeZone.objects.exists()
    assert not AuditEvent.objects.filter(action="safe_zone.create").exists()


def test_an_incident_inside_a_safe_zone_is_flagged(site, officer) -> None:
    zone = make_zone(site)
    inside = report(
        officer, site=None, latitude=decimal.Decimal("9.53"), longitude=decimal.Decimal("31.65")
    ).incident
    outside = report(
        officer, site=None, latitude=decimal.Decimal("9.60"), longitude=decimal.Decimal("31.65")
    ).incident
    at_site = report(officer, site=site).incident  # the site's own position is inside
    assert (inside.safe_zone, outside.safe_zone, at_site.safe_zone) == (zone, None, zone)


def test_a_retired_zone_flags_nothing_and_the_retirement_is_audited(site, officer) -> None:
    zone = make_zone(site)
    safe_zone_update(actor=supervisor_of(site.managing_agency), zone=zone, active=False)
    assert report(officer, site=site).incident.safe_zone is None
    event = AuditEvent.objects.filter(action="safe_zone.update").get()
    assert event.changes["active"] == [True, False]
