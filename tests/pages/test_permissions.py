"""Every role against every page: what each may open (200) and what it may not (403)."""

from typing import Any

import pytest
from django.urls import reverse

from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

READ = {"camps:list", "camps:detail"}
PEOPLE_READ = {
    "cases:person_list",
    "cases:person_detail",
    "cases:household_list",
    "cases:household_detail",
}
REGISTER = {"cases:household_register", "cases:household_add_member"}
EDIT = {
    "cases:person_edit",
    "cases:household_relocate",
    "cases:person_language_needs",
    "cases:person_identifier_add",
    "cases:person_photo",
}
STATUS = {"cases:person_status"}
ERASE = {"cases:person_erase"}
SUBJECT = {
    "cases:person_subject_report",
    "cases:person_subject_report_pdf",
    "cases:person_subject_report_json",
    "cases:person_correct",
}
EVERY_PAGE = READ | PEOPLE_READ | REGISTER | EDIT | STATUS | ERASE | SUBJECT

ALLOWED = {
    "admin": EVERY_PAGE - SUBJECT,
    "supervisor": EVERY_PAGE,
    "protection_officer": EVERY_PAGE - ERASE,
    "case_worker": READ | PEOPLE_READ | REGISTER | EDIT,
    "partner_api": READ | PEOPLE_READ,
    "analyst": READ,
}


def _url(name: str, site: Any, household: Any) -> str:
    person = household.members.order_by("id").first()
    arguments = {
        "camps:detail": [site.pk],
        "cases:person_detail": [person.pk],
        "cases:person_edit": [person.pk],
        "cases:person_language_needs": [person.pk],
        "cases:person_identifier_add": [person.pk],
        "cases:person_photo": [person.pk],
        "cases:person_status": [person.pk],
        "cases:person_erase": [person.pk],
        "cases:person_correct": [person.pk],
        "cases:person_subject_report": [person.pk],
        "cases:person_subject_report_pdf": [person.pk],
        "cases:person_subject_report_json": [person.pk],
        "cases:household_detail": [household.pk],
        "cases:household_add_member": [household.pk],
        "cases:household_relocate": [household.pk],
    }
    url = reverse(name, args=arguments.get(name, []))
    return f"{url}?purpose=subject_request" if name in SUBJECT else url


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_opens_exactly_the_pages_its_actions_allow(role, agency, site, household):
    client = signed_in(factories.UserFactory(agency=agency, role=role))

    statuses = {name: client.get(_url(name, site, household)).status_code for name in EVERY_PAGE}

    expected = {name: 200 if name in ALLOWED[role] else 403 for name in EVERY_PAGE}
    assert statuses == expected


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(client, site, household):
    for name in sorted(EVERY_PAGE):
        response = client.get(_url(name, site, household))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_a_user_of_an_inactive_agency_opens_nothing(officer, site, household):
    officer.agency.active = False
    officer.agency.save(update_fields=["active"])
    client = signed_in(officer)
    for name in sorted(EVERY_PAGE):
        assert client.get(_url(name, site, household)).status_code == 403, name
