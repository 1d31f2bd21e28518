"""Adding one member to a registered household, with the duplicate check."""

import pytest
from django.urls import reverse

from cases.models import DuplicateReview
from tests import factories
from tests.pages.conftest import CHILD, registry_counts, signed_in, single_member_post

pytestmark = pytest.mark.django_db


def test_add_member_registers_one_person_in_the_household(officer_client, household):
    url = reverse("cases:household_add_member", args=[household.pk])
    assert officer_client.get(url).status_code == 200

    newborn = {
        **CHILD,
        "given_name": "Baby",
        "family_name": "Deng",
        "estimated_age": "0",
        "displaced_on": "",
        "arrived_on": "",
    }
    response = officer_client.post(url, single_member_post(**newborn))

    assert response.status_code == 302
    assert household.members.count() == 3
    assert household.members.filter(given_name="Baby", site=household.site).exists()


def test_add_member_refuses_a_second_head_and_writes_nothing(officer_client, household):
    before = registry_counts()
    response = officer_client.post(
        reverse("cases:household_add_member", args=[household.pk]),
        single_member_post(given_name="Joseph", family_name="Wani", sex="male"),
    )
    assert "This household already has a head." in response.content.decode()
    assert registry_counts() == before


def test_add_member_duplicate_flow(officer_client, household):
    url = reverse("cases:household_add_member", args=[household.pk])
    spouse = household.members.get(given_name="Nyibol")
    similar = {
        "given_name": "Nyiboll",
        "family_name": "Deng",
        "relationship_to_head": "other_relative",
        "date_of_birth": "1993-03-02",
    }

    shown = officer_client.post(url, single_member_post(**similar))

    assert shown.status_code == 200
    assert spouse.registration_number in shown.content.decode()
    assert household.members.count() == 2
    data = single_member_post(**similar)
    data["member-confirm_not_duplicate"] = "on"
    data["member-reviewed_identity"] = shown.context["form"]["reviewed_identity"].value()
    assert officer_client.post(url, data).status_code == 302
    assert DuplicateReview.objects.get().candidate == spouse


def test_add_member_to_another_agencys_household_is_not_found(officer_client, other_household):
    response = officer_client.post(
        reverse("cases:household_add_member", args=[other_household.pk]),
        single_member_post(relationship_to_head="child"),
    )
    assert response.status_code == 404
    assert other_household.members.count() == 1


@pytest.mark.parametrize("role", ["analyst", "partner_api"])
def test_add_member_is_forbidden_to_roles_without_it(role, agency, household):
    client = signed_in(factories.UserFactory(agency=agency, role=role))
    response = client.post(
        reverse("cases:household_add_member", args=[household.pk]),
        single_member_post(relationship_to_head="child"),
    )
    assert response.status_code == 403
    assert household.members.count() == 2


def test_add_member_sends_anonymous_visitors_to_sign_in(client, household):
    response = client.get(reverse("cases:household_add_member", args=[household.pk]))
    assert response.status_code == 302
