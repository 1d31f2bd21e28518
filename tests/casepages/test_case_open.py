"""Opening a protection case from a person's file."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import ProtectionCase
from protection.models import AuditEvent
from tests import factories
from tests.casepages.conftest import body, casework_counts
from tests.dates import days_ago
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _url(person):
    return reverse("cases:case_open", args=[person.pk])


def _post(**overrides):
    data = {
        "case_type": "child_protection",
        "risk_level": "high",
        "summary": "Works at the market instead of school.",
        "confidential": "",
        "assigned_to": "",
        "opened_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def test_the_persons_file_offers_to_open_a_case_to_casework_roles_only(
    worker_client, person, partner_api_user
):
    assert _url(person) in body(worker_client.get(person.get_absolute_url()))
    assert _url(person) not in body(signed_in(partner_api_user).get(person.get_absolute_url()))


@pytest.fixture
def partner_api_user(agency):
    return factories.UserFactory(agency=agency, role="partner_api")


def test_a_worker_opens_a_case_linking_a_household_member(worker_client, worker, person, child):
    response = worker_client.post(
        _url(person), _post(linked_persons=[child.pk], opened_on=days_ago(40).isoformat())
    )

    case = ProtectionCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert (case.primary_person, case.assigned_to, case.owning_agency) == (
        person,
        worker,
        worker.agency,
    )
    assert case.confidential is True  # child protection is confidential by default
    assert list(case.linked_persons.all()) == [child]
    assert case.opened_on == days_ago(40)
    assert AuditEvent.objects.filter(action="case.open", object_id=str(case.pk)).exists()
    page = body(worker_client.get(response["Location"]))
    assert f"Case {case.case_number} is open." in page


def test_a_worker_may_name_another_case_worker(worker_client, colleague, person):
    worker_client.post(_url(person), _post(assigned_to=colleague.pk, confidential="no"))
    case = ProtectionCase.objects.get()
    assert case.assigned_to == colleague
    assert case.confidential is False


def test_missing_fields_are_explained_and_nothing_is_written(worker_client, person):
    before = casework_counts()

    response = worker_client.post(_url(person), _post(case_type="", risk_level="extreme"))

    page = body(response)
    assert response.status_code == 200
    assert "Nothing was saved." in page
    assert "This field is required." in page
    assert "Select a valid choice." in page
    assert casework_counts() == before


def test_a_gbv_case_cannot_be_opened_to_the_agency(worker_client, person):
    before = casework_counts()

    response = worker_client.post(_url(person), _post(case_type="gbv", confidential="no"))

    assert "A gender-based violence case is always confidential." in body(response)
    assert casework_counts() == before


def test_a_future_opening_date_is_refused(worker_client, person):
    response = worker_client.post(_url(person), _post(opened_on="2999-01-01"))
    assert "This date cannot be in the future." in body(response)
    assert not ProtectionCase.objects.exists()


def test_another_agencys_person_is_not_found(worker_client, other_case):
    person = other_case.primary_person
    assert worker_client.get(_url(person)).status_code == 404
    assert worker_client.post(_url(person), _post()).status_code == 404
    assert ProtectionCase.objects.count() == 1


def test_a_role_without_casework_is_refused(partner_api_user, person):
    client = signed_in(partner_api_user)
    assert client.get(_url(person)).status_code == 403
    assert client.post(_url(person), _post()).status_code == 403
    assert not ProtectionCase.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, person):
    response = client.post(_url(person), _post())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not ProtectionCase.objects.exists()
