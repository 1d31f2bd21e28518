"""The incidents, alerts, inbox and webhook-subscription API, checked against the schema."""

import datetime
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from incidents.models import GbvDesignation, Incident
from protection.models import AccessLog
from protection.notifications.models import Delivery, Notification, WebhookSubscription
from protection.notifications.services.sending import delivery_send
from tests import factories
from tests.api import schema
from tests.api.conftest import SchemaCheckedClient
from tests.incidents.conftest import make_agency, make_user, report


def _clear_schema() -> None:
    for cached in (schema.openapi_schema, schema._components, schema._path_patterns):
        cached.cache_clear()


@pytest.fixture(autouse=True, scope="module")
def _schema_with_these_routes() -> Iterator[None]:
    """Check answers against the schema of the routes these tests run with.

    Once for the module: the routes do not change between its tests, and building the schema
    takes a quarter of a second.
    """
    _clear_schema()
    yield
    _clear_schema()


@pytest.fixture
def client_for(db: None) -> Callable[[Any], SchemaCheckedClient]:
    def make(user: Any) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        client.login_with_token(user)
        return client

    return make


def _payload(where: Any, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "type": "abduction",
        "severity": 4,
        "occurred_at": (timezone.now() - datetime.timedelta(hours=2)).isoformat(),
        "site": where.pk,
        "male_adults": 2,
        "perpetrator_category": "non_state_armed_group",
        "source": "witness",
        "description": "Two men taken at the market.",
    }
    payload.update(overrides)
    return payload


def test_the_schema_builds_without_warnings(tmp_path: Any) -> None:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    for path in (
        "/api/v1/incidents/",
        "/api/v1/alerts/{id}/acknowledge/",
        "/api/v1/webhook-subscriptions/{id}/rotate-secret/",
        "/api/v1/notifications/{id}/read/",
    ):
        assert path in text


def test_an_officer_reports_and_reads_the_full_incident(
    client_for: Any, officer: Any, site: Any, two_tier_policy: Any
) -> None:
    api = client_for(officer)

    created = api.post("/api/v1/incidents/", _payload(site), format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["view"] == "full"
    assert body["description"] == "Two men taken at the market."
    assert body["victims"]["male_adults"] == 2
    incident = Incident.objects.get()
    assert incident.reference == body["reference"]
    assert incident.alerts.count() == 1
    listed = api.get("/api/v1/incidents/", {"min_severity": 4})
    assert [row["reference"] for row in listed.json()["results"]] == [incident.reference]


def test_bad_reports_are_refused_with_field_errors_and_write_nothing(
    client_for: Any, officer: Any, site: Any, other_site: Any
) -> None:
    api = client_for(officer)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"type": "alien_abduction"}, "type"),
        ({"severity": 9}, "severity"),
        ({"site": other_site.pk}, "site"),
        ({"description": ""}, "description"),
        ({"male_adults": -1}, "male_adults"),
        ({"site": None}, "site"),
        ({"occurred_at": (timezone.now() + datetime.timedelta(days=2)).isoformat()}, "occurred_at"),
    ]
    for overrides, field in cases:
        answer = api.post("/api/v1/incidents/", _payload(site, **overrides), format="json")
        assert answer.status_code == 400, overrides
        assert field in answer.json(), (overrides, answer.json())
    assert not Incident.objects.exists()


def test_each_caller_gets_the_shape_the_policy_chooses(
    client_for: Any, officer: Any, site: Any, agency: Any
) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    gbv = report(
        officer,
        site=site,
        incident_type="gbv_rape",
        victims=[person],
        male_adults=0,
        description="Details that identify her.",
    ).incident
    partner = make_agency(acronym="PRT")
    site.operating_agencies.add(partner)
    partner_api = make_user(agency=partner, role="partner_api")
    designated = make_user(agency=agency, role="case_worker")
    GbvDesignation.objects.create(user=designated)

    as_officer = client_for(officer).get(f"/api/v1/incidents/{gbv.pk}/").json()
    as_partner = client_for(partner_api).get(f"/api/v1/incidents/{gbv.pk}/").json()
    as_designated = client_for(designated).get(f"/api/v1/incidents/{gbv.pk}/").json()

    assert as_officer["view"] == as_partner["view"] == "anonymised"
    assert "description" not in as_partner and "victim_ids" not in as_officer
    assert as_designated["view"] == "full"
    assert as_designated["victim_ids"] == [person.pk]
    assert AccessLog.objects.filter(
        user=designated, object_type="cases.displacedperson", object_id=str(person.pk)
    ).exists()
    # The partner read the anonymised incident: logged, but no person was shown to it.
    assert list(
        AccessLog.objects.filter(user=partner_api).values_list("object_type", flat=True)
    ) == ["incidents.incident"]


def test_an_agency_outside_the_site_gets_404(
    client_for: Any, officer: Any, other_officer: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    api = client_for(other_officer)
    assert api.get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    assert api.get("/api/v1/incidents/").json()["results"] == []


def test_the_reporting_agency_updates_the_response(
    client_for: Any, officer: Any, site: Any, agency: Any
) -> None:
    incident = report(officer, site=site).incident
    partner = make_agency(acronym="PRT")
    site.operating_agencies.add(partner)

    answer = client_for(officer).patch(
        f"/api/v1/incidents/{incident.pk}/",
        {"status": "responding", "verification": "verified"},
        format="json",
    )
    refused = client_for(make_user(agency=partner, role="supervisor")).patch(
        f"/api/v1/incidents/{incident.pk}/", {"status": "closed"}, format="json"
    )

    assert answer.status_code == 200
    assert (answer.json()["status"], answer.json()["verification"]) == ("responding", "verified")
    assert refused.status_code == 403
    assert Incident.objects.get().status == "responding"


def test_a_recipient_acknowledges_through_the_api_and_others_get_404(
    client_for: Any, officer: Any, site: Any, two_tier_policy: Any, duty_officer: Any
) -> None:
    (alert,) = report(officer, site=site, severity=4).alerts
    api = client_for(duty_officer)

    listed = api.get("/api/v1/alerts/").json()["results"]
    first = api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    second = api.post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    outsider = client_for(officer).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")

    assert [row["id"] for row in listed] == [alert.pk]
    assert listed[0]["incident"]["reference"] == alert.incident.reference  # type: ignore[union-attr]
    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == "acknowledged"
    assert second.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert outsider.status_code == 404


def test_the_inbox_lists_and_marks_read(
    client_for: Any, officer: Any, site: Any, two_tier_policy: Any, duty_officer: Any
) -> None:
    report(officer, site=site, severity=4)
    for delivery in Delivery.objects.all():
        delivery_send(delivery_id=delivery.pk)
    api = client_for(duty_officer)

    unread = api.get("/api/v1/notifications/", {"unread": "true"}).json()["results"]
    read = api.post(f"/api/v1/notifications/{unread[0]['id']}/read/")

    assert len(unread) == 1 and unread[0]["unread"] is True
    assert read.json()["unread"] is False
    assert api.get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []
    assert (
        client_for(officer).post(f"/api/v1/notifications/{unread[0]['id']}/read/").status_code
        == 404
    )
    assert Notification.objects.get().read_at is not None


def test_a_partner_manages_webhooks_and_sees_the_secret_only_once(
    client_for: Any, site: Any, settings: Any, officer: Any, other_officer: Any
) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = True
    partner = make_agency(acronym="PRT")
    site.operating_agencies.add(partner)
    api = client_for(make_user(agency=partner, role="partner_api"))

    created = api.post(
        "/api/v1/webhook-subscriptions/",
        {"url": "https://hooks.prt.example/alerts", "events": ["alert.raised"], "sites": [site.pk]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    secret = created.json()["secret"]
    subscription_id = created.json()["id"]
    assert WebhookSubscription.objects.get().secret == secret
    assert "no-store" in created["Cache-Control"]
    shown = api.get(f"/api/v1/webhook-subscriptions/{subscription_id}/").json()
    assert "secret" not in shown and shown["secret_hint"] == secret[-4:]
    rotated = api.post(f"/api/v1/webhook-subscriptions/{subscription_id}/rotate-secret/").json()
    assert rotated["secret"] != secret
    insecure = api.post(
        "/api/v1/webhook-subscriptions/",
        {"url": "http://hooks.prt.example/", "events": ["alert.raised"]},
        format="json",
    )
    assert insecure.status_code == 400 and "url" in insecure.json()
    assert api.delete(f"/api/v1/webhook-subscriptions/{subscription_id}/").status_code == 204
    assert WebhookSubscription.objects.get().active is False
    assert client_for(officer).get("/api/v1/webhook-subscriptions/").status_code == 403
    other_admin = make_user(agency=other_officer.agency, role="admin")
    assert (
        client_for(other_admin).get(f"/api/v1/webhook-subscriptions/{subscription_id}/").status_code
        == 404
    )


MATRIX: list[tuple[str, str, tuple[int, ...]]] = [
    # admin, supervisor, protection_officer, case_worker, partner_api, analyst
    ("GET", "incidents/", (200, 200, 200, 200, 200, 403)),
    ("GET", "incidents/{incident}/", (200, 200, 200, 200, 200, 403)),
    ("PATCH", "incidents/{incident}/", (200, 200, 200, 403, 403, 403)),
    ("PUT", "incidents/{incident}/", (405, 405, 405, 405, 405, 405)),
    ("DELETE", "incidents/{incident}/", (405, 405, 405, 405, 405, 405)),
    ("GET", "alerts/", (200, 200, 200, 200, 200, 200)),
    ("GET", "notifications/", (200, 200, 200, 200, 200, 200)),
    ("GET", "webhook-subscriptions/", (200, 403, 403, 403, 200, 403)),
    ("POST", "incidents/", (201, 201, 201, 201, 201, 403)),
]
ROLES = ["admin", "supervisor", "protection_officer", "case_worker", "partner_api", "analyst"]


@pytest.mark.parametrize(("method", "endpoint", "expected"), MATRIX)
def test_permission_matrix(
    method: str,
    endpoint: str,
    expected: tuple[int, ...],
    client_for: Any,
    agency: Any,
    site: Any,
    officer: Any,
) -> None:
    incident = report(officer, site=site).incident
    for role, status in zip(ROLES, expected, strict=True):
        api = client_for(make_user(agency=agency, role=role))
        path = "/api/v1/" + endpoint.format(incident=incident.pk)
        body = _payload(site) if method == "POST" else {"status": "responding"}
        answer = api.generic(method, path, data=json.dumps(body), content_type="application/json")
        assert answer.status_code == status, (role, method, endpoint, answer.content[:300])
    anonymous = SchemaCheckedClient()
    assert anonymous.get("/api/v1/incidents/").status_code == 401


def test_the_incident_list_costs_the_same_queries_for_many_rows(
    client_for: Any, officer: Any, site: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(30):
        report(officer, site=site)
    api = client_for(officer)
    # Token (2), agency, page, the access-log insert of the incidents shown (3: the chain's
    # lock and head, the insert).
    with django_assert_max_num_queries(8):
        answer = api.get("/api/v1/incidents/")
    assert len(answer.json()["results"]) == 30
