"""The health answers: liveness for anyone, the JSON and the metrics for a monitor's token or
an administrator, the admin page in words; every role against each of them."""

from typing import Any

import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from protection.accounts.models import User
from protection.health import figures as f
from protection.health.services import heartbeat_record
from tests import factories

pytestmark = pytest.mark.django_db

TOKEN = "a-long-random-monitoring-token-for-the-tests-0123456789"


@pytest.fixture
def calm(settings: Any, test_broker: str) -> None:
    """A pipeline nothing is wrong with: a fresh heartbeat, and no worker required."""
    settings.PIPELINE_HEALTH_TOKEN = TOKEN
    settings.PIPELINE_HEALTH_LIMITS = {**settings.PIPELINE_HEALTH_LIMITS, f.WORKERS: (0, 0)}
    heartbeat_record()


def test_liveness_answers_anyone_and_reads_nothing(
    client: Client, django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(0):
        answer = client.get("/health/live")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


ROLES = ["admin", "supervisor", "protection_officer", "case_worker", "partner_api", "analyst"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/health/pipeline", "/health/metrics", "/admin/pipeline/"])
def test_only_administrators_of_the_admin_site_see_the_pipeline(
    client: Client, agency: Any, calm: None, role: str, path: str
) -> None:
    # Staff status opens the admin site; the role decides whether the pipeline is theirs.
    staff = factories.UserFactory.create(agency=agency, role=role, is_staff=True)
    plain = factories.UserFactory.create(agency=agency, role=role)

    client.force_login(staff)
    as_staff = client.get(path).status_code
    client.force_login(plain)
    as_plain = client.get(path).status_code

    assert as_staff == (200 if role == "admin" else 403)
    # The admin site sends a user without staff status to its sign-in page.
    assert as_plain == (302 if path.startswith("/admin/") else 403)


@pytest.mark.parametrize("path", ["/health/pipeline", "/health/metrics"])
def test_a_monitor_needs_the_right_token(client: Client, calm: None, path: str) -> None:
    anonymous = client.get(path)
    wrong = client.get(path, HTTP_AUTHORIZATION="Bearer not-the-token")
    right = client.get(path, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert wrong.status_code == 401
    assert right.status_code == 200


def test_without_a_configured_token_no_token_opens_it(
    client: Client, calm: None, settings: Any
) -> None:
    settings.PIPELINE_HEALTH_TOKEN = ""
    assert client.get("/health/pipeline", HTTP_AUTHORIZATION="Bearer ").status_code == 401


def test_the_json_gives_each_figure_its_value_status_and_thresholds(
    client: Client, calm: None, outbox: Any
) -> None:
    answer = client.get("/health/pipeline", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    body = answer.json()
    figures = body["figures"]
    assert list(figures) == list(f.NAMES)
    assert body["agency"] is None  # every agency's deliveries
    assert figures[f.PENDING] == {
        "value": 3,
        "status": "ok",
        "warning": 500.0,
        "critical": 5000.0,
        "fewer_is_worse": False,
    }
    assert figures[f.DEAD_24H]["value"] == 2
    assert figures[f.DEAD_24H]["status"] == "warning"
    assert figures[f.QUEUE_DEPTH]["queues"] == {"celery": 0}
    assert figures[f.WORKERS]["workers"] == []
    # An hour-old pending delivery is critical: the JSON says so, and so does its status code.
    assert figures[f.OLDEST_PENDING]["status"] == "critical"
    assert body["status"] == "critical"
    assert answer.status_code == 503
    assert "no-store" in answer["Cache-Control"]


def test_the_json_answers_200_while_nothing_is_critical(client: Client, calm: None) -> None:
    answer = client.get("/health/pipeline", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_an_agency_administrator_gets_the_agencys_own_counts(
    client: Client, calm: None, outbox: Any, agency_admin: User, other_admin: User
) -> None:
    client.force_login(agency_admin)
    mine = client.get("/health/pipeline").json()
    client.force_login(other_admin)
    theirs = client.get("/health/pipeline").json()

    assert mine["agency"] == {"id": agency_admin.agency_id, "acronym": "MPU"}
    assert mine["figures"][f.PENDING]["value"] == 2
    assert theirs["agency"]["acronym"] == "ORL"
    assert theirs["figures"][f.PENDING]["value"] == 1
    assert theirs["figures"][f.FAILED]["value"] == 0


def test_the_metrics_are_prometheus_gauges_of_the_same_figures(
    client: Client, calm: None, outbox: Any
) -> None:
    answer = client.get("/health/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert answer["Content-Type"].startswith("text/plain; version=0.0.4")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.content.decode())
        for sample in family.samples
    }
    assert samples[("protection_pipeline_deliveries_pending", ())] == 3
    assert samples[("protection_pipeline_deliveries_dead_24h", ())] == 2
    assert samples[("protection_pipeline_queue_depth", (("queue", "celery"),))] == 0
    assert samples[("protection_pipeline_status", (("figure", f.DEAD_24H),))] == 1
    assert samples[("protection_pipeline_status", (("figure", f.OLDEST_PENDING),))] == 2
    assert samples[("protection_pipeline_overall_status", ())] == 2
    assert 3590 < samples[("protection_pipeline_oldest_pending_delivery_seconds", ())] < 3700


def test_the_admin_page_shows_the_figures_in_words(
    client: Client, calm: None, outbox: Any, agency_admin: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(agency_admin)

    # Session, user, agency, the second-factor device that verified the session; the outbox's
    # aggregate and the heartbeat; the admin's navigation (two permission queries) and the
    # inbox badge.
    with django_assert_max_num_queries(9):
        page = client.get("/admin/pipeline/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "Pipeline health" in html
    assert "Delivery figures count the deliveries to MPU and its webhooks only" in html
    row = html.split('id="figure-deliveries_pending"', 1)[1].split("</tr>", 1)[0]
    assert "Deliveries pending (MPU)" in row
    assert '<td data-heading="Value">2</td>' in row
    oldest = html.split('id="figure-oldest_pending_delivery_seconds"', 1)[1].split("</tr>")[0]
    assert '<td data-heading="Value">10 minutes</td>' in oldest
    # Ten minutes is the default critical threshold of the oldest pending delivery.
    assert '<span class="pipeline-status critical">Critical</span>' in oldest
    assert '<td data-heading="Critical">from 10 minutes</td>' in oldest
    assert "?outcome=dead" in html


def test_the_admin_page_speaks_the_readers_language(
    client: Client, calm: None, superuser: User
) -> None:
    client.force_login(superuser)
    page = client.get("/admin/pipeline/", HTTP_ACCEPT_LANGUAGE="ar")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.content.decode()


def test_the_admin_index_links_the_page_for_those_who_may_see_it(
    client: Client, agency: Any, agency_admin: User
) -> None:
    supervisor = factories.UserFactory.create(agency=agency, role="supervisor", is_staff=True)

    client.force_login(agency_admin)
    linked = client.get("/admin/").content.decode()
    client.force_login(supervisor)
    unlinked = client.get("/admin/").content.decode()

    assert 'href="/admin/pipeline/"' in linked
    assert 'href="/admin/pipeline/"' not in unlinked
