"""The alerts page as an officer reads it: one card per alert with its severity, site, age and
state; waiting alerts first by deadline, acknowledged ones in their own tab; opening an alert
marks it read; early warnings in plain words; the navigation counts what waits."""

import datetime
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from incidents.alerts.services import alert_acknowledge, alert_mark_read
from incidents.alerts.wording import early_warning_summary
from incidents.context_processors import navigation_counts
from incidents.early_warning.services import early_warning_raise
from incidents.early_warning.statistics import WindowAssessment
from incidents.models import Alert, PolicyTrigger
from protection.models import AuditEvent
from protection.notifications.models import Delivery, Notification
from protection.notifications.services.sending import delivery_send
from tests.incidents.conftest import make_policy, report

LIST = reverse("incidents:alert_list")


def _deliver_all() -> None:
    for pk in Delivery.objects.filter(status="pending").values_list("pk", flat=True):
        delivery_send(delivery_id=pk)


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="alert-row[^"]*">(.*?)</li>', html, flags=re.S)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def duty_policy(duty_officer: Any) -> Any:
    return make_policy(tiers=[{"users": [duty_officer], "in_app": True, "email": True}])


def test_waiting_alerts_show_severity_site_age_and_deadline_soonest_first(
    client: Any, officer: Any, site: Any, duty_officer: Any, duty_policy: Any
) -> None:
    (later,) = report(officer, site=site, severity=2).alerts
    (sooner,) = report(officer, site=site, severity=4, incident_type="attack").alerts
    Alert.objects.filter(pk=later.pk).update(
        deadline_at=timezone.now() + datetime.timedelta(hours=2)
    )
    Alert.objects.filter(pk=sooner.pk).update(
        deadline_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    Alert.objects.filter(pk__in=[later.pk, sooner.pk]).update(
        raised_at=timezone.now() - datetime.timedelta(hours=3)
    )
    client.force_login(duty_officer)

    cards = _cards(client.get(LIST).content.decode())

    assert len(cards) == 2
    first, second = (_text(card) for card in cards)
    assert sooner.incident is not None and sooner.incident.reference in first
    assert first.startswith("Critical") and second.startswith("Moderate")
    assert site.name in first and "raised 3" in first and "hours ago" in first
    assert "Acknowledge by" in first and ".." not in first


def test_an_acknowledged_alert_moves_to_its_own_tab_without_a_deadline(
    client: Any, officer: Any, site: Any, duty_officer: Any, duty_policy: Any
) -> None:
    (done,) = report(officer, site=site, severity=4).alerts
    (waiting,) = report(officer, site=site, severity=3).alerts
    alert_acknowledge(actor=duty_officer, alert=done)
    client.force_login(duty_officer)

    waiting_tab = client.get(LIST).content.decode()
    acknowledged_tab = client.get(LIST, {"state": "acknowledged"}).content.decode()
    detail = client.get(reverse("incidents:alert_detail", args=[done.pk])).content.decode()

    assert done.incident is not None and waiting.incident is not None
    (listed,) = _cards(waiting_tab)
    assert waiting.incident.reference in listed and done.incident.reference not in waiting_tab
    (card,) = _cards(acknowledged_tab)
    assert done.incident.reference in card and "Acknowledged by" in _text(card)
    assert "Acknowledge by" not in _text(card)
    assert "Acknowledge by" not in _text(detail)
    assert "Waiting (1)" in _text(waiting_tab) and "Acknowledged (1)" in _text(waiting_tab)


def test_a_state_that_does_not_exist_shows_the_waiting_tab(
    client: Any, officer: Any, site: Any, duty_officer: Any, duty_policy: Any
) -> None:
    report(officer, site=site, severity=4)
    client.force_login(duty_officer)

    page = client.get(LIST, {"state": "everything'--"})

    assert page.status_code == 200
    assert len(_cards(page.content.decode())) == 1
    assert 'href="?state=waiting" aria-current="page"' in page.content.decode()


def test_opening_an_alert_marks_it_read_without_an_audit_entry(
    client: Any, officer: Any, site: Any, duty_officer: Any, duty_policy: Any
) -> None:
    (alert,) = report(officer, site=site, severity=4).alerts
    _deliver_all()
    client.force_login(duty_officer)
    audited = AuditEvent.objects.count()

    before = _cards(client.get(LIST).content.decode())
    client.get(reverse("incidents:alert_detail", args=[alert.pk]))
    after = _cards(client.get(LIST).content.decode())
    inbox = client.get(reverse("notifications:inbox")).content.decode()

    assert "New" in _text(before[0]) and "New" not in _text(after[0])
    assert Notification.objects.get(recipient=duty_officer).read_at is not None
    assert "0 unread notifications." in inbox
    assert AuditEvent.objects.count() == audited


def test_another_agency_neither_sees_nor_reads_the_alert(
    client: Any, officer: Any, site: Any, duty_policy: Any, other_officer: Any
) -> None:
    (alert,) = report(officer, site=site, severity=4).alerts
    client.force_login(other_officer)

    assert client.get(reverse("incidents:alert_detail", args=[alert.pk])).status_code == 404
    assert _cards(client.get(LIST).content.decode()) == []
    with pytest.raises(PermissionDenied):
        alert_mark_read(actor=other_officer, alert=alert)


def test_the_navigation_counts_the_alerts_waiting_in_one_query(
    client: Any,
    officer: Any,
    site: Any,
    duty_officer: Any,
    duty_policy: Any,
    django_assert_num_queries: Any,
) -> None:
    first, second, _third = (report(officer, site=site, severity=4).alerts[0] for _ in range(3))
    _deliver_all()
    alert_acknowledge(actor=duty_officer, alert=first)
    request = RequestFactory().get("/")
    request.user = duty_officer

    with django_assert_num_queries(1):
        counts = navigation_counts(request)
    client.force_login(duty_officer)
    page = _text(client.get(LIST).content.decode())

    assert (counts["inbox_unread"], counts["alerts_waiting"]) == (2, 2)
    assert "Alerts 2 waiting" in page and "Waiting (2)" in page
    alert_acknowledge(actor=duty_officer, alert=second)
    assert "Alerts 1 waiting" in _text(client.get(LIST).content.decode())
    request.user = officer
    assert navigation_counts(request)["alerts_waiting"] == 0


def test_the_bar_stops_counting_at_its_cap_and_shows_a_plus(
    client: Any,
    officer: Any,
    site: Any,
    duty_officer: Any,
    duty_policy: Any,
    monkeypatch: Any,
) -> None:
    # The cap is 100 in production; three alerts against a cap of three show the same thing.
    monkeypatch.setattr("incidents.context_processors.NAV_COUNT_CAP", 3)
    for _ in range(4):
        report(officer, site=site, severity=4)
    _deliver_all()
    request = RequestFactory().get("/")
    request.user = duty_officer

    counts = navigation_counts(request)
    client.force_login(duty_officer)
    page = _text(client.get(LIST).content.decode())

    assert (counts["inbox_unread"], counts["alerts_waiting"]) == (3, 3)
    assert "Alerts 2+ waiting" in page and "Inbox 2+ unread" in page
    assert "Waiting (4)" in page  # the alerts page itself still counts them all


def test_the_list_costs_six_queries_however_many_alerts(
    client: Any,
    officer: Any,
    site: Any,
    duty_officer: Any,
    duty_policy: Any,
    django_assert_num_queries: Any,
) -> None:
    for _ in range(3):
        report(officer, site=site, severity=4)
    client.force_login(duty_officer)
    # Session, user, agency; the page of alerts (read state included), the two tab counts, and
    # the navigation's counts.
    with django_assert_num_queries(6):
        client.get(LIST)
    for _ in range(12):
        report(officer, site=site, severity=3)

    with django_assert_num_queries(6):
        page = client.get(LIST)

    assert len(_cards(page.content.decode())) == 15


def test_an_early_warning_reads_as_counts_never_a_probability(
    client: Any, site: Any, duty_officer: Any
) -> None:
    make_policy(
        name="Early warning",
        trigger=PolicyTrigger.EARLY_WARNING,
        tiers=[{"users": [duty_officer], "in_app": True, "email": True}],
    )
    (alert,) = early_warning_raise(
        site=site,
        assessment=WindowAssessment(
            window="24h", observed=9, expected=1.2, probability=1.1e-07, raised=True
        ),
    )
    _deliver_all()
    client.force_login(duty_officer)

    card = _text(_cards(client.get(LIST).content.decode())[0])
    detail = _text(client.get(reverse("incidents:alert_detail", args=[alert.pk])).content.decode())
    notice = Notification.objects.get(recipient=duty_officer)

    assert "9 incidents in 24 hours; usually about 1" in card
    assert "9 incidents in 24 hours; usually about 1" in detail
    assert "9 incidents in 24 hours; usually about 1" in notice.body
    for text in (card, detail, notice.body):
        assert "chance" not in text and "e-07" not in text


@pytest.mark.parametrize(
    ("details", "words"),
    [
        (
            {"window": "24h", "observed": 9, "expected": 1.2},
            "9 incidents in 24 hours; usually about 1",
        ),
        ({"window": "7d", "observed": 1, "expected": 0.2}, "1 incident in 7 days; usually none"),
        (
            {"window": "7d", "observed": 30, "expected": 6.6},
            "30 incidents in 7 days; usually about 7",
        ),
    ],
)
def test_early_warning_figures_in_words(details: dict[str, Any], words: str) -> None:
    assert early_warning_summary(details) == words


def test_an_email_keeps_the_deadline_without_a_double_period_and_the_inbox_drops_it(
    officer: Any, site: Any, duty_officer: Any, duty_policy: Any, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    report(officer, site=site, severity=4)
    email = Delivery.objects.get(channel="email")
    _deliver_all()
    in_app = Notification.objects.get(recipient=duty_officer)

    assert "Acknowledge it by: " in email.body
    assert ".." not in email.body
    assert "Acknowledge it by" not in in_app.body


def test_a_waiting_alert_is_acknowledged_from_its_card_and_leaves_the_waiting_tab(
    client: Any, officer: Any, site: Any, duty_officer: Any, duty_policy: Any, other_officer: Any
) -> None:
    (alert,) = report(officer, site=site, severity=4).alerts
    acknowledge = reverse("incidents:alert_acknowledge", args=[alert.pk])
    client.force_login(other_officer)
    assert client.post(acknowledge, {"return": "list"}).status_code == 404
    client.force_login(duty_officer)

    (card,) = _cards(client.get(LIST).content.decode())
    response = client.post(acknowledge, {"return": "list"}, follow=True)

    assert f'action="{acknowledge}"' in card
    assert response.redirect_chain == [(LIST, 302)]
    page = response.content.decode()
    assert "Alert acknowledged: escalation stopped." in page
    assert _cards(page) == [] and "No alert is waiting for you." in page
    assert Alert.objects.get(pk=alert.pk).acknowledged_by == duty_officer
