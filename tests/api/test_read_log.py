"""Reads are logged where records are handed out: every part of a case, incidents, list pages.

Each test reads through HTTP (the API, or the page a person opens) and checks the access-log
rows a protection auditor would look at: who, which record, which part, why, through which
channel; and that a list logs exactly the rows it showed, in one insert.
"""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.casework import services
from protection.audit_chain import ACCESS_CHAIN
from protection.audit_verify import chain_verify
from protection.models import AccessLog
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import advance, make_user, open_case, refer
from tests.factories import register_household
from tests.incidents.conftest import report
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

PARTS = {
    "notes": "notes",
    "assessments": "assessments",
    "actions": "actions",
    "follow-ups": "follow_ups",
    "timeline": "timeline",
}


def _rows(**filters: Any) -> list[tuple[str, str, str, str, str]]:
    return list(
        AccessLog.objects.filter(**filters)
        .order_by("id")
        .values_list("object_type", "object_id", "part", "purpose", "channel")
    )


def _capture() -> CaptureQueriesContext:
    """Capture the queries of one request; count them before the next request resets them."""
    return CaptureQueriesContext(connection)


def _log_inserts(queries: CaptureQueriesContext) -> int:
    """Count the statements that wrote access-log rows (an INSERT, or a page's COPY)."""
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith(
            ('INSERT INTO "protection_accesslog"', 'COPY "protection_accesslog"')
        )
    )


@pytest.mark.parametrize("path", PARTS)
def test_reading_a_part_of_a_case_through_the_api_logs_the_case_and_the_part(
    path: str, worker: Any, worker_api: Any, case: Any
) -> None:
    services.case_note_add(actor=worker, case=case, text="Threats at the water point.")
    assert not AccessLog.objects.exists()

    response = worker_api.get(f"/api/v1/cases/{case.pk}/{path}/")

    assert response.status_code == 200
    assert _rows(user=worker) == [
        ("cases.protectioncase", str(case.pk), PARTS[path], "detail", "api")
    ]


def test_the_notes_endpoint_shows_the_notes_it_logs(worker: Any, worker_api: Any, case: Any):
    services.case_note_add(actor=worker, case=case, text="Threats at the water point.")

    notes = worker_api.get(f"/api/v1/cases/{case.pk}/notes/").json()

    assert [note["text"] for note in notes] == ["Threats at the water point."]
    assert AccessLog.objects.filter(part="notes", object_id=str(case.pk)).count() == 1


def test_the_case_page_logs_the_whole_file_once(worker: Any, case: Any, person: Any) -> None:
    response = signed_in(worker).get(reverse("cases:case_detail", args=[case.pk]))

    assert response.status_code == 200
    assert sorted(_rows(user=worker)) == [
        ("cases.displacedperson", str(person.pk), "", "detail", "web"),
        ("cases.protectioncase", str(case.pk), "", "detail", "web"),
    ]


def test_one_action_read_through_the_api_is_logged_under_its_case(
    worker: Any, worker_api: Any, case: Any
) -> None:
    advance(worker, case, "implementation")
    action = case.actions.get()

    response = worker_api.get(f"/api/v1/case-actions/{action.pk}/")

    assert response.status_code == 200
    assert _rows(user=worker) == [
        ("cases.protectioncase", str(case.pk), "actions", "detail", "api")
    ]


@pytest.mark.parametrize("path", ["", *PARTS])
def test_another_agencys_case_answers_404_and_logs_nothing(
    path: str, other_agency: Any, case: Any, client_for: Any
) -> None:
    stranger = client_for(make_user(other_agency, "supervisor", "stranger"))
    url = f"/api/v1/cases/{case.pk}/" + (f"{path}/" if path else "")

    assert stranger.get(url).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_received_referral_is_logged_under_the_referral_for_the_partner(
    worker: Any, case: Any, service: Any, agreement: Any, partner_user: Any, client_for: Any
) -> None:
    referral = refer(worker, case, service)

    response = client_for(partner_user).get(f"/api/v1/referrals/received/{referral.pk}/")

    assert response.status_code == 200
    assert _rows(user=partner_user) == [("cases.referral", str(referral.pk), "", "detail", "api")]


def test_an_incident_read_through_the_api_and_the_page_is_logged(
    officer: Any, site: Any, client_for: Any
) -> None:
    victim = register_household(actor=officer, site=site).members[0]
    incident = report(officer, site=site, victims=[victim], male_adults=0).incident

    assert client_for(officer).get(f"/api/v1/incidents/{incident.pk}/").status_code == 200
    assert (
        signed_in(officer).get(reverse("incidents:detail", args=[incident.pk])).status_code == 200
    )

    rows = _rows(user=officer)
    for channel in ("api", "web"):
        assert ("incidents.incident", str(incident.pk), "", "detail", channel) in rows
        assert ("cases.displacedperson", str(victim.pk), "", "detail", channel) in rows
    assert len(rows) == 4


def test_another_agencys_incident_answers_404_and_logs_nothing(
    officer: Any, site: Any, other_officer: Any, client_for: Any
) -> None:
    incident = report(officer, site=site).incident

    assert client_for(other_officer).get(f"/api/v1/incidents/{incident.pk}/").status_code == 404
    page = signed_in(other_officer).get(reverse("incidents:detail", args=[incident.pk]))
    assert page.status_code == 404
    assert not AccessLog.objects.exists()


def _register_people(officer: Any, site: Any, count: int) -> list[Any]:
    people = []
    for index in range(count):
        people += register_household(
            actor=officer,
            site=site,
            members=[
                {
                    "given_name": f"Given{index:03d}",
                    "family_name": f"Family{chr(65 + index % 26)}{index:03d}",
                    "date_of_birth": datetime.date(1950 + index % 50, 1 + index % 12, 1),
                    "confirm_not_duplicate": True,
                }
            ],
        ).members
    return people


def test_the_people_page_logs_exactly_the_rows_shown_in_one_insert(officer: Any, site: Any) -> None:
    _register_people(officer, site, 53)
    client = signed_in(officer)

    with _capture() as queries:
        response = client.get(reverse("cases:person_list"))

    shown = [person.pk for person in response.context["page"].items]
    assert len(shown) == 50
    assert _log_inserts(queries) == 1
    logged = AccessLog.objects.filter(user=officer, purpose="list", channel="web")
    assert sorted(int(pk) for pk in logged.values_list("object_id", flat=True)) == sorted(shown)
    assert chain_verify(ACCESS_CHAIN).ok  # the page's rows, written as COPY text, chain on


def test_the_people_api_logs_the_page_in_one_insert_and_a_search_as_a_search(
    officer: Any, site: Any, client_for: Any
) -> None:
    people = _register_people(officer, site, 12)
    api = client_for(officer)

    with _capture() as queries:
        page = api.get("/api/v1/persons/", {"page_size": 5}).json()["results"]
    assert _log_inserts(queries) == 1  # before the next request empties Django's query log
    found = api.get("/api/v1/persons/", {"q": people[3].family_name}).json()["results"]

    listed = AccessLog.objects.filter(user=officer, purpose="list", channel="api")
    assert sorted(listed.values_list("object_id", flat=True)) == sorted(str(r["id"]) for r in page)
    assert [row["id"] for row in found] == [people[3].pk]
    assert _rows(user=officer, purpose="search") == [
        ("cases.displacedperson", str(people[3].pk), "", "search", "api")
    ]


def test_the_caseload_api_logs_the_cases_and_people_of_the_page(
    worker: Any, worker_api: Any, person: Any
) -> None:
    cases = [open_case(worker, person) for _ in range(3)]

    with _capture() as queries:
        rows = worker_api.get("/api/v1/cases/", {"page_size": 2}).json()["results"]

    assert _log_inserts(queries) == 1
    shown = {str(row["id"]) for row in rows}
    assert shown < {str(case.pk) for case in cases}
    logged = AccessLog.objects.filter(user=worker, purpose="list")
    assert (
        set(logged.filter(object_type="cases.protectioncase").values_list("object_id", flat=True))
        == shown
    )
    assert list(
        logged.filter(object_type="cases.displacedperson").values_list("object_id", flat=True)
    ) == [str(person.pk)]
