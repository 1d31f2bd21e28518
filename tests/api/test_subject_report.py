"""The data-subject report through the API: the same JSON as the page's download, same rules."""

from typing import Any

import pytest

from protection.models import AccessLog
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import make_user

pytestmark = pytest.mark.django_db


def _path(person: Any, query: str = "?purpose=subject_request") -> str:
    return f"/api/v1/persons/{person.pk}/subject-report/{query}"


def test_the_api_answers_the_report_and_logs_the_purpose(
    officer, client_for, person, case, worker
) -> None:
    client_for(worker).get(f"/api/v1/persons/{person.pk}/")

    response = client_for(officer).get(_path(person, "?purpose=legal"))

    assert response.status_code == 200
    body = response.json()
    assert body["schema"] == "protection.subject-report"
    assert body["person"]["registration_number"] == person.registration_number
    assert [row["case_number"] for row in body["cases"]] == [case.case_number]
    readers = {
        (row["user"], row["purpose"]["code"], row["channel"]["code"]) for row in body["accesses"]
    }
    assert ("worker", "detail", "api") in readers
    assert ("officer", "legal", "api") in readers
    assert AccessLog.objects.filter(
        user=officer, object_id=str(person.pk), purpose="legal", part="subject_report_json"
    ).exists()


@pytest.mark.parametrize("query", ["", "?purpose=", "?purpose=curiosity"])
def test_the_purpose_is_required_and_nothing_is_logged(officer, client_for, person, query) -> None:
    before = AccessLog.objects.count()

    response = client_for(officer).get(_path(person, query))

    assert response.status_code == 400
    assert "purpose" in response.json()
    assert AccessLog.objects.count() == before


def test_another_agencys_person_answers_404(other_officer, client_for, person) -> None:
    before = AccessLog.objects.count()
    assert client_for(other_officer).get(_path(person)).status_code == 404
    assert AccessLog.objects.count() == before


def test_roles_that_do_not_answer_subject_requests_are_refused(agency, client_for, person) -> None:
    for role in ("case_worker", "admin", "partner_api", "analyst"):
        user = make_user(agency, role, f"user_{role}")
        assert client_for(user).get(_path(person)).status_code == 403, role
