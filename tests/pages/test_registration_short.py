"""The short registration form: what the household gives every member, the exceptions a member
row records, the site offered first, and specific needs as one grouped select."""

from typing import Any

import pytest
from django.urls import reverse

from cases.models import Household
from tests import factories
from tests.pages.conftest import CHILD, SPOUSE, registration_post

pytestmark = pytest.mark.django_db

REGISTER = "cases:household_register"


def test_consent_is_taken_once_for_the_household_and_a_child_gets_a_caregiver(officer_client, site):
    no_exceptions = {"consent_given_by": "", "consent_scope": "", "displacement_status": ""}
    data = registration_post(
        site,
        [no_exceptions, {**CHILD, **no_exceptions}, {**SPOUSE, **no_exceptions}],
        consent_scope="sharing",
        displacement_status="REF",
    )

    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 302
    head, child, spouse = Household.objects.get().members.order_by("id")
    assert [p.consent_given_by for p in (head, child, spouse)] == ["person", "caregiver", "person"]
    assert {p.consent_scope for p in (head, child, spouse)} == {"sharing"}
    assert {p.displacement_status.code for p in (head, child, spouse)} == {"REF"}
    assert head.consent_date == child.consent_date == spouse.consent_date


def test_a_member_row_records_an_exception_to_the_household(officer_client, site):
    exception = {"consent_given_by": "guardian", "consent_scope": "registration"}
    data = registration_post(
        site,
        [
            {"consent_given_by": "", "consent_scope": ""},
            {**CHILD, **exception, "displacement_status": "ASY"},
        ],
        consent_scope="sharing",
    )

    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 302
    head, child = Household.objects.get().members.order_by("id")
    assert (head.consent_given_by, head.consent_scope) == ("person", "sharing")
    assert (child.consent_given_by, child.consent_scope) == ("guardian", "registration")
    assert (head.displacement_status.code, child.displacement_status.code) == ("IDP", "ASY")


def test_the_household_consent_and_status_are_required(officer_client, site):
    data = registration_post(site, [{}], consent_given_by="", displacement_status="")

    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 200
    assert Household.objects.count() == 0
    page = response.content.decode()
    assert "Nothing was saved." in page
    assert page.count("This field is required.") == 2


def test_the_site_offered_first_is_the_one_last_used(officer_client, officer, agency, site):
    later: Any = factories.SiteFactory(managing_agency=agency, name="Zeta camp", code="ZET-01")
    first = officer_client.get(reverse(REGISTER)).content.decode()
    factories.register_household(actor=officer, site=later)

    again = officer_client.get(reverse(REGISTER)).content.decode()

    # The sites are sorted by name; with no registration yet, the first is offered.
    assert f'<option value="{site.pk}" selected>' in first
    assert f'<option value="{later.pk}" selected>' in again


def test_a_member_row_is_short_and_the_rest_is_behind_more(officer_client, site):
    page = officer_client.get(reverse(REGISTER)).content.decode()
    row = page.split('id="member-members-0"', 1)[1].split("</section>", 1)[0]
    short, more = row.split("<details", 1)

    assert '<select name="members-0-specific_needs"' in short  # one grouped select
    assert '<optgroup label="SC ' in short
    assert 'type="checkbox"' not in short
    for name in ("given_name", "family_name", "sex", "relationship_to_head", "date_of_birth"):
        assert f'name="members-0-{name}"' in short
    for name in ("phone", "nationality", "consent_given_by", "displacement_status", "documents"):
        assert f'name="members-0-{name}"' in more
    assert 'name="members-0-consent_date"' not in row  # taken once for the household
    assert 'src="/static/js/needs-picker.js"' in page
