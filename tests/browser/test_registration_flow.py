"""An officer registers a household of two in the browser, then finds a member misspelled."""

import re

import pytest

from cases.models import DisplacedPerson, Household
from tests.dates import days_ago
from tests.factories import PASSWORD, SiteFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_member(page, index: int, member: dict[str, str]) -> None:
    prefix = f"members-{index}-"
    page.fill(f'[name="{prefix}given_name"]', member["given"])
    page.fill(f'[name="{prefix}family_name"]', member["family"])
    page.select_option(f'[name="{prefix}sex"]', label=member["sex"])
    page.select_option(f'[name="{prefix}relationship_to_head"]', label=member["relationship"])
    page.fill(f'[name="{prefix}date_of_birth"]', member["born"])
    # Consent and status are the household's; a member row records an exception in "More".
    if member.get("consent_by"):
        page.locator(f"#member-members-{index} details.more > summary").click()
        page.select_option(f'[name="{prefix}consent_given_by"]', label=member["consent_by"])


def test_officer_registers_household_and_finds_member_by_misspelled_name(
    live_server, page, agency
) -> None:
    site = SiteFactory(managing_agency=agency, name="Malakal PoC", code="MAL-POC")
    UserFactory(agency=agency, role="protection_officer", username="officer")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('[name="username"]', "officer")
    page.fill('[name="password"]', PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))  # casework roles start at their dashboard

    page.goto(f"{live_server.url}/registry/households/register/")
    page.select_option('[name="site"]', label=str(site))
    page.fill('[name="address"]', "Block C, plot 14")
    page.select_option('[name="displacement_status"]', label="Internally displaced person")
    page.select_option('[name="consent_given_by"]', label="The person")
    page.locator("form.registration details.more > summary").first.click()
    page.fill('[name="consent_date"]', days_ago(28).isoformat())
    _fill_member(
        page,
        0,
        {
            "given": "Nyakuoth",
            "family": "Gatluak",
            "sex": "Female",
            "relationship": "Head of household",
            "born": "1988-03-09",
        },
    )
    if page.locator('[name="members-1-given_name"]').count() == 0:
        page.click("[data-add-form]")
    _fill_member(
        page,
        1,
        {
            "given": "Muhammad",
            "family": "Gatluak",
            "sex": "Male",
            "relationship": "Son / daughter",
            "born": "2015-07-21",
            "consent_by": "Parent or caregiver",
        },
    )
    page.get_by_role("button", name="Register the household").click()

    page.wait_for_url(re.compile(r"/registry/households/\d+/"))
    household = Household.objects.get()
    assert household.members.count() == 2
    assert household.address == "Block C, plot 14"
    head, child = household.members.order_by("id")
    assert (head.consent_given_by, child.consent_given_by) == ("person", "caregiver")
    assert head.consent_date == days_ago(28)
    page.get_by_text("Nyakuoth").first.wait_for()

    page.goto(f"{live_server.url}/registry/people/")
    page.fill('[name="q"]', "Mohamad Gatluak")
    page.press('[name="q"]', "Enter")
    page.wait_for_url(re.compile(r"q=Mohamad"))
    son = DisplacedPerson.objects.get(given_name="Muhammad")
    link = page.get_by_role("link", name=re.compile("Muhammad"))
    assert link.count() == 1
    assert page.get_by_text("Nyakuoth").count() == 0

    link.click()
    page.wait_for_url(re.compile(rf"/registry/people/{son.pk}/"))
    assert page.get_by_text(son.registration_number).first.is_visible()
    assert page.get_by_role("heading", name=re.compile("Muhammad Gatluak")).count() >= 1
