"""Drills: simulated incidents, marked DRILL, run the real alert chain and are measured, and
never reach a live surface (lists, map, API, statistics, early warning, exports, indicators)."""

import datetime
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from incidents.alerts.services import alert_acknowledge
from incidents.drills.selectors import drill_report
from incidents.drills.services import DrillPlan, drill_end, drill_start
from incidents.early_warning.statistics import site_counts
from incidents.escalation.services import alert_escalate
from incidents.exports import INCIDENTS
from incidents.models import Alert, Drill, Incident, IncidentType
from protection.models import AuditEvent
from protection.monitoring.scope import figure_scope
from protection.notifications.models import Delivery
from tests.incidents.conftest import make_policy, make_user, report
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _plan(site: Any, **overrides: Any) -> DrillPlan:
    values: dict[str, Any] = {
        "site": site,
        "scenario": "Armed group seen near the water point",
        "incident_type": IncidentType.objects.get(code="abduction"),
        "severity": 3,
    }
    values.update(overrides)
    return DrillPlan(**values)


@pytest.fixture
def policy(duty_officer: Any, head_of_office: Any) -> Any:
    return make_policy(
        tiers=[
            {"users": [duty_officer], "email": True, "deadline": 15},
            {"users": [head_of_office], "deadline": 30},
        ],
        minimum_severity=3,
    )


@pytest.fixture
def drill(supervisor: Any, site: Any, policy: Any) -> Drill:
    return drill_start(actor=supervisor, plan=_plan(site))


def test_a_drill_runs_the_real_chain_and_every_message_says_drill(drill, duty_officer):
    incident = Incident.objects.get(drill=drill)
    alert = Alert.objects.get(incident=incident)
    deliveries = list(Delivery.objects.filter(source_type="incidents.alert", source_id=alert.pk))
    assert {d.channel for d in deliveries} == {"in_app", "email"}
    assert {d.recipient_user_id for d in deliveries} == {duty_officer.pk}
    for delivery in deliveries:
        assert delivery.subject.startswith("DRILL")
        assert "DRILL" in delivery.body
        assert delivery.payload["drill"] is True
    # No partner webhook announces a simulated incident.
    assert not Delivery.objects.filter(source_type="incidents.incident").exists()
    inbox = signed_in(duty_officer).get("/incidents/alerts/").content.decode()
    assert "DRILL" in inbox
    page = signed_in(duty_officer).get(f"/incidents/alerts/{alert.pk}/").content.decode()
    assert "DRILL" in page and f"/incidents/{incident.pk}/" not in page


def test_the_report_measures_each_person_and_tier_against_the_deadlines(
    drill, duty_officer, head_of_office, django_assert_max_num_queries
):
    alert = Alert.objects.get(incident__drill=drill)
    # Nobody in tier 1 acknowledges within 15 minutes: tier 2 is told, and acknowledges 8
    # minutes later.
    later = timezone.now() + datetime.timedelta(minutes=16)
    with time_machine.travel(later, tick=False):
        alert_escalate(alert_id=alert.pk)
    with time_machine.travel(later + datetime.timedelta(minutes=8), tick=False):
        alert_acknowledge(actor=head_of_office, alert=alert)
    with django_assert_max_num_queries(6):
        result = drill_report(drill=drill)
    rows = {(row.tier, row.person_id): row for row in result.rows}
    assert set(rows) == {(1, duty_officer.pk), (2, head_of_office.pk)}
    assert rows[(1, duty_officer.pk)].outcome == "missed"
    second = rows[(2, head_of_office.pk)]
    assert second.outcome == "in_time" and second.within_deadline is True
    assert 7.9 <= (second.minutes or 0) <= 8.5
    assert result.escalations == 1 and result.acknowledged == 1 and result.in_time == 1
    assert [(t.tier, t.deadline_minutes, t.told) for t in result.tiers] == [(1, 15, 1), (2, 30, 1)]


def test_the_report_counts_a_late_answer_as_late(drill, duty_officer):
    alert = Alert.objects.get(incident__drill=drill)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=20), tick=False):
        alert_acknowledge(actor=duty_officer, alert=alert)
    (row,) = drill_report(drill=drill).rows
    assert row.outcome == "late" and row.within_deadline is False


def test_drill_incidents_reach_no_live_surface(drill, supervisor, officer, site, policy):
    live = report(officer, site=site).incident
    simulated = Incident.objects.get(drill=drill)
    client = signed_in(supervisor)
    listing = client.get("/incidents/").content.decode()
    assert live.reference in listing and simulated.reference not in listing
    assert client.get(f"/incidents/{simulated.pk}/").status_code == 404
    features = client.get("/incidents/map/data.json").content.decode()
    assert live.reference in features and simulated.reference not in features
    counts = site_counts(now=timezone.now() + datetime.timedelta(minutes=1))
    assert sum(c.last_24h for c in counts) == 1
    assert INCIDENTS.figures is not None and INCIDENTS.listing is not None
    assert list(INCIDENTS.listing.rows(supervisor).values_list("pk", flat=True)) == [live.pk]
    assert list(INCIDENTS.figures.rows(supervisor).values_list("pk", flat=True)) == [live.pk]
    scope = figure_scope(supervisor)
    assert list(scope.incidents().values_list("pk", flat=True)) == [live.pk]
    assert not scope.alerts().filter(incident=simulated).exists()
    assert scope.alerts().filter(incident=live).exists()


def test_a_drill_ends_once_and_every_change_is_audited(drill, supervisor):
    drill_end(actor=supervisor, drill=drill)
    ended = drill_end(actor=supervisor, drill=drill)
    assert ended.ended_at is not None and ended.ended_by == supervisor
    actions = list(
        AuditEvent.objects.filter(object_type="incidents.drill", object_id=str(drill.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["drill.start", "drill.end"]
    stored = str(list(AuditEvent.objects.filter(action__startswith="drill.").values()))
    assert "water point" not in stored


def test_bad_input_and_roles_write_nothing(supervisor, agency, site, other_site, policy):
    case_worker = make_user(agency=agency, role="case_worker")
    for plan, field in (
        (_plan(site, scenario=" "), "scenario"),
        (_plan(site, incidents=9), "incidents"),
        (_plan(other_site), "site"),
    ):
        with pytest.raises(ValidationError) as refused:
            drill_start(actor=supervisor, plan=plan)
        assert field in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        drill_start(actor=case_worker, plan=_plan(site))
    assert not Drill.objects.exists() and not Incident.objects.exists()


def test_the_pages_start_a_drill_and_show_its_report(supervisor, site, policy, other_officer):
    client = signed_in(supervisor)
    page = client.get("/incidents/drills/")
    assert page.status_code == 200
    answer = client.post(
        "/incidents/drills/",
        {
            "site": site.pk,
            "scenario": "Night attack",
            "incident_type": IncidentType.objects.get(code="abduction").pk,
            "severity": 3,
            "incidents": 2,
        },
    )
    drill = Drill.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/incidents/drills/{drill.pk}/"
    assert drill.incidents.count() == 2
    shown = client.get(answer["Location"]).content.decode()
    assert drill.reference in shown and "DRILL" in shown
    bad = client.post("/incidents/drills/", {"site": site.pk, "scenario": "", "severity": 3})
    assert bad.status_code == 400 and Drill.objects.count() == 1
    assert client.post(f"/incidents/drills/{drill.pk}/end/").status_code == 302
    drill.refresh_from_db()
    assert drill.ended_at is not None
    other = signed_in(other_officer)
    assert other.get(f"/incidents/drills/{drill.pk}/").status_code == 404
    assert other.post(f"/incidents/drills/{drill.pk}/end/").status_code == 404
