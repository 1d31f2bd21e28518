"""Every role against every casework page: what each may open (200) and what it may not (403)."""

import pytest
from django.urls import reverse

from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

CASEWORK_READ = {"cases:case_list", "cases:case_detail", "cases:referral_sent_list"}
CASEWORK = {
    "cases:case_open",
    "cases:case_note",
    "cases:case_close",
    "cases:case_refer",
    "cases:case_follow_up",
    "cases:case_assessment",
}
SUPERVISION = {"cases:case_reassign", "cases:case_transfer", "cases:approval_queue"}
INBOX = {"cases:referral_inbox"}
DIRECTORY = {"partners:service_list"}
MANAGE_SERVICES = {"partners:service_add"}
EVERY_PAGE = CASEWORK_READ | CASEWORK | SUPERVISION | INBOX | DIRECTORY | MANAGE_SERVICES

ALLOWED = {
    "admin": DIRECTORY | MANAGE_SERVICES,
    "supervisor": EVERY_PAGE,
    "protection_officer": CASEWORK_READ | CASEWORK | INBOX | DIRECTORY,
    "case_worker": CASEWORK_READ | CASEWORK | INBOX | DIRECTORY,
    "partner_api": INBOX | DIRECTORY,
    "analyst": DIRECTORY,
}


def _url(name, case):
    if name == "cases:case_open":
        return reverse(name, args=[case.primary_person_id])
    if name.startswith("cases:case_") and name != "cases:case_list":
        return reverse(name, args=[case.pk])
    return reverse(name)


@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_each_role_opens_exactly_the_pages_its_actions_allow(role, agency, case):
    client = signed_in(factories.UserFactory(agency=agency, role=role))

    statuses = {name: client.get(_url(name, case)).status_code for name in EVERY_PAGE}

    assert statuses == {name: 200 if name in ALLOWED[role] else 403 for name in EVERY_PAGE}


def test_anonymous_visitors_are_sent_to_sign_in_from_every_page(client, case):
    for name in sorted(EVERY_PAGE):
        response = client.get(_url(name, case))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name
