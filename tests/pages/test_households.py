"""Household pages: the list, a household's members, and the move to another site."""

from typing import Any

import pytest
from django.urls import reverse

from cases.models import DisplacedPerson, Household
from protection.models import AccessLog, AccessPurpose, AuditEvent
from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db


def _register_households(actor, site, count):
    return [
        factories.register_household(
            actor=actor,
            site=site,
            members=[{"given_name": f"Head{n:03d}", "confirm_not_duplicate": True}],
        ).household
        for n in range(count)
    ]


# --- list ---------------------------------------------------------------------------------


def test_list_shows_own_households_with_their_heads(officer_client, officer, household):
    response = officer_client.get(reverse("cases:household_list"))

    body = response.content.decode()
    assert household.code in body
    assert "Muhammad Deng" in body
    head = household.members.get(relationship_to_head="head")
    assert AccessLog.objects.filter(
        user=officer, purpose=AccessPurpose.LIST, object_id=str(head.pk)
    ).exists()


def test_list_hides_other_agencies_households(officer_client, household, other_household):
    body = officer_client.get(reverse("cases:household_list")).content.decode()
    assert household.code in body
    assert other_household.code not in body


def test_list_finds_a_household_by_code_typed_loosely(officer_client, officer, site, household):
    others = _register_households(officer, site, 2)
    typed = household.code.lower().replace("-", " ")

    body = officer_client.get(reverse("cases:household_list"), {"code": typed}).content.decode()

    assert household.code in body
    assert all(other.code not in body for other in others)


def test_list_refuses_a_malformed_code(officer_client, household):
    response = officer_client.get(reverse("cases:household_list"), {"code": "nonsense"})
    body = response.content.decode()
    assert "Enter a household code such as" in body
    assert household.code not in body


def test_list_filters_by_site(officer_client, officer, agency, site, household):
    second_site: Any = factories.SiteFactory(managing_agency=agency, name="Second")
    elsewhere = _register_households(officer, second_site, 1)[0]

    body = officer_client.get(
        reverse("cases:household_list"), {"site": second_site.pk}
    ).content.decode()

    assert elsewhere.code in body
    assert household.code not in body


def test_list_of_fifty_rows_keeps_a_constant_query_budget(
    officer, site, django_assert_max_num_queries
):
    _register_households(officer, site, 53)
    client = signed_in(officer)
    client.get(reverse("cases:household_list"))

    # session, user, agency, inbox count, site choices, the page, the heads, the log insert (3:
    # the chain's lock and head, then the insert).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("cases:household_list"), {"site": site.pk})

    assert len(response.context["page"].items) == 50
    assert response.context["page"].next_after is not None


def test_list_is_forbidden_to_an_analyst(analyst):
    assert signed_in(analyst).get(reverse("cases:household_list")).status_code == 403


def test_list_sends_anonymous_visitors_to_sign_in(client):
    assert client.get(reverse("cases:household_list")).status_code == 302


# --- detail -------------------------------------------------------------------------------


def test_detail_shows_members_and_logs_them(officer_client, officer, household):
    response = officer_client.get(reverse("cases:household_detail", args=[household.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert household.code in body
    assert household.site.name in body
    for member in household.members.all():
        assert member.registration_number in body
    assert AccessLog.objects.filter(user=officer, purpose=AccessPurpose.LIST).count() == 2
    assert "Add a member" in body
    assert "Move to another site" in body


def test_detail_of_another_agencys_household_is_not_found(officer_client, other_household):
    url = reverse("cases:household_detail", args=[other_household.pk])
    assert officer_client.get(url).status_code == 404


def test_detail_is_forbidden_to_an_analyst(analyst, household):
    url = reverse("cases:household_detail", args=[household.pk])
    assert signed_in(analyst).get(url).status_code == 403


def test_detail_hides_write_actions_from_the_partner_api_role(partner_api, household):
    url = reverse("cases:household_detail", args=[household.pk])
    body = signed_in(partner_api).get(url).content.decode()
    assert "Add a member" not in body
    assert "Move to another site" not in body


# --- relocate -----------------------------------------------------------------------------


def test_relocate_moves_the_household_and_its_members(officer_client, agency, household):
    new_site: Any = factories.SiteFactory(managing_agency=agency, name="Newsite")
    url = reverse("cases:household_relocate", args=[household.pk])
    assert officer_client.get(url).status_code == 200

    response = officer_client.post(url, {"site": new_site.pk, "address": "Zone 4"})

    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.site, household.address) == (new_site, "Zone 4")
    assert set(household.members.values_list("site", flat=True)) == {new_site.pk}
    assert AuditEvent.objects.filter(action="household.relocate").count() == 1


def test_relocate_to_a_closed_or_unknown_site_writes_nothing(officer_client, agency, household):
    closed: Any = factories.SiteFactory(managing_agency=agency, status="closed")
    factories.SiteFactory(managing_agency=agency, name="Open elsewhere")
    url = reverse("cases:household_relocate", args=[household.pk])

    response = officer_client.post(url, {"site": closed.pk, "address": ""})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    household.refresh_from_db()
    assert household.site != closed
    assert not AuditEvent.objects.filter(action="household.relocate").exists()


def test_relocate_another_agencys_household_is_not_found(officer_client, site, other_household):
    url = reverse("cases:household_relocate", args=[other_household.pk])
    assert officer_client.post(url, {"site": site.pk}).status_code == 404
    assert Household.objects.get(pk=other_household.pk).site != site


@pytest.mark.parametrize("role", ["analyst", "partner_api"])
def test_relocate_is_forbidden_to_roles_without_edit(role, agency, household):
    new_site: Any = factories.SiteFactory(managing_agency=agency)
    client = signed_in(factories.UserFactory(agency=agency, role=role))
    url = reverse("cases:household_relocate", args=[household.pk])
    assert client.post(url, {"site": new_site.pk}).status_code == 403
    assert not DisplacedPerson.objects.filter(site=new_site).exists()


def test_relocate_sends_anonymous_visitors_to_sign_in(client, household):
    url = reverse("cases:household_relocate", args=[household.pk])
    assert client.get(url).status_code == 302
