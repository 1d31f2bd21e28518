"""Household registration in one flow, with the duplicate check and leaving a member out."""

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from cases.models import DisplacedPerson, DuplicateReview, Household
from protection.models import AccessLog, AccessPurpose, AuditEvent
from tests import factories
from tests.pages.conftest import CHILD, SPOUSE, registration_post, registry_counts, signed_in

pytestmark = pytest.mark.django_db

REGISTER = "cases:household_register"


def test_form_offers_blank_member_rows_and_the_empty_form_template(officer_client, site):
    response = officer_client.get(reverse(REGISTER))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="members-TOTAL_FORMS" value="3"' in body
    assert "members-__prefix__-given_name" in body  # the <template> the script copies
    assert 'src="/static/js/formset.js"' in body
    assert '<datalist id="country-list">' in body
    assert "SC-UC" in body  # specific needs offered, grouped by category
    assert f'<option value="{site.pk}" selected>' in body  # the only open site, preselected


def test_form_without_javascript_can_ask_for_more_rows(officer_client, site):
    response = officer_client.get(reverse(REGISTER), {"rows": "6"})
    assert 'name="members-TOTAL_FORMS" value="6"' in response.content.decode()


def test_registers_a_household_of_two_with_audit_events(officer_client, officer, site):
    response = officer_client.post(reverse(REGISTER), registration_post(site, [{}, CHILD]))

    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == household.get_absolute_url()
    assert household.site == site
    assert household.address == "Block C, plot 12"
    assert household.owning_agency == officer.agency
    head, child = household.members.order_by("id")
    assert (head.given_name, head.relationship_to_head) == ("Amina", "head")
    assert head.nationality is not None and head.nationality.code == "SSD"
    assert head.origin_country is not None and head.origin_country.code == "SSD"
    assert head.documents == ["national_id"]
    assert child.date_of_birth_estimated
    assert list(child.specific_needs.values_list("code", flat=True)) == ["SC-SC"]
    actions = sorted(AuditEvent.objects.exclude(action__startswith="user.").values_list("action"))
    assert actions == [("household.register",), ("person.register",), ("person.register",)]
    page = officer_client.get(response["Location"])
    assert "registered with 2 members" in page.content.decode()


def test_untouched_blank_rows_are_ignored(officer_client, site):
    data = registration_post(site, [{}], rows=3)
    data["members-INITIAL_FORMS"] = "0"
    for index in (1, 2):  # what the browser posts for a row nobody touched
        data.update(
            {
                f"members-{index}-given_name": "",
                f"members-{index}-consent_scope": "",  # "Same as the household"
                f"members-{index}-displacement_status": "",
            }
        )

    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 302
    assert DisplacedPerson.objects.count() == 1


def test_bad_member_fields_are_shown_on_the_member_and_nothing_is_written(officer_client, site):
    before = registry_counts()
    bad_child = {**CHILD, "estimated_age": "", "given_name": ""}

    response = officer_client.post(
        reverse(REGISTER),
        registration_post(site, [{"nationality": "Narnia"}, bad_child], registered_on="2999-01-01"),
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in body
    formset = response.context["formset"]
    assert "Unknown country" in str(formset.forms[0].errors["nationality"])
    assert "given_name" in formset.forms[1].errors
    assert "Give a date of birth or an estimated age." in str(formset.forms[1].errors)
    assert response.context["household_form"].errors["registered_on"]
    assert registry_counts() == before


def test_service_refusals_land_on_the_right_member(officer_client, site):
    before = registry_counts()
    adult_with_child_code = {**SPOUSE, "specific_needs": ["SC-UC"], "arrived_on": "1970-01-01"}

    response = officer_client.post(
        reverse(REGISTER), registration_post(site, [{}, adult_with_child_code])
    )

    errors = response.context["formset"].forms[1].errors
    assert "apply only to children under 18" in str(errors["specific_needs"])
    assert "before the date of birth" in str(errors["arrived_on"])
    assert not response.context["formset"].forms[0].errors
    assert registry_counts() == before


def test_household_without_a_head_is_refused_above_the_members(officer_client, site):
    before = registry_counts()

    response = officer_client.post(
        reverse(REGISTER), registration_post(site, [{"relationship_to_head": "child"}])
    )

    assert "Mark exactly one member as head of household." in response.content.decode()
    assert response.context["composition_errors"]
    assert registry_counts() == before


def test_closed_or_other_agency_site_cannot_be_chosen(officer_client, site, other_site):
    before = registry_counts()
    response = officer_client.post(reverse(REGISTER), registration_post(other_site, [{}]))
    assert "Select a valid choice" in str(response.context["household_form"].errors["site"])
    assert registry_counts() == before


def test_duplicate_is_shown_then_registered_once_confirmed(officer_client, officer, site):
    existing = factories.register_household(actor=officer, site=site).members[0]
    before = registry_counts()
    similar = {"given_name": "Aminah", "family_name": "Muhammad", "date_of_birth": "1990-06-01"}

    shown = officer_client.post(reverse(REGISTER), registration_post(site, [similar, CHILD]))

    body = shown.content.decode()
    assert shown.status_code == 200
    assert "Nothing was saved yet." in body
    assert existing.registration_number in body
    assert existing.get_absolute_url() in body
    assert "Not a duplicate: register as a new person" in body
    assert registry_counts() == before
    assert AccessLog.objects.filter(
        purpose=AccessPurpose.DUPLICATE_CHECK, object_id=str(existing.pk)
    ).exists()
    reviewed = shown.context["formset"].forms[0]["reviewed_identity"].value()
    assert reviewed

    data = registration_post(site, [similar, CHILD])
    data["members-0-confirm_not_duplicate"] = "on"
    data["members-0-reviewed_identity"] = reviewed
    confirmed = officer_client.post(reverse(REGISTER), data)

    assert confirmed.status_code == 302
    new_person = DisplacedPerson.objects.get(given_name="Aminah")
    review = DuplicateReview.objects.get(person=new_person)
    assert review.candidate == existing
    assert review.decided_by == officer
    assert AuditEvent.objects.filter(action="person.duplicate_dismissed").count() == 1


def _notice_text(body: str) -> str:
    """Return the words of the duplicate notice above the form, as a reader sees them."""
    notice = re.search(r'<div class="notice warning" role="alert">(.*?)</div>', body, re.S)
    assert notice is not None
    return " ".join(re.sub(r"<[^>]+>", "", notice.group(1)).split())


def test_the_duplicate_notice_names_the_matched_members_without_a_stray_comma(
    officer_client, officer, site
):
    spouse = {**SPOUSE, "date_of_birth": datetime.date(1985, 1, 1), "nationality": None}
    factories.register_household(actor=officer, site=site, members=[{}, spouse])
    similar_head = {
        "given_name": "Aminah",
        "family_name": "Muhammad",
        "date_of_birth": "1990-06-01",
    }
    similar_spouse = {**SPOUSE, "given_name": "Petr"}

    # The last member (the child) has no match; the list must not end with ", ".
    both = officer_client.post(
        reverse(REGISTER), registration_post(site, [similar_head, similar_spouse, CHILD])
    )
    one = officer_client.post(reverse(REGISTER), registration_post(site, [similar_head, CHILD]))

    assert _notice_text(both.content.decode()) == (
        "Nothing was saved yet. Check the possible matches shown with: Aminah Muhammad, Petr Lado"
    )
    assert _notice_text(one.content.decode()) == (
        "Nothing was saved yet. Check the possible matches shown with: Aminah Muhammad"
    )
    assert 'href="#member-members-1"' in both.content.decode()


def test_confirmation_without_reviewing_the_matches_is_not_taken(officer_client, officer, site):
    existing = factories.register_household(actor=officer, site=site).members[0]
    data = registration_post(site, [{"given_name": "Aminah"}])
    data["members-0-confirm_not_duplicate"] = "on"  # ticked without having seen the matches

    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 200
    assert existing.registration_number in response.content.decode()
    assert DisplacedPerson.objects.count() == 1


def test_changing_the_name_after_the_review_asks_again(officer_client, officer, site):
    factories.register_household(actor=officer, site=site)
    first = officer_client.post(reverse(REGISTER), registration_post(site, [{}]))
    reviewed = first.context["formset"].forms[0]["reviewed_identity"].value()

    data = registration_post(site, [{"given_name": "Aminata"}])
    data["members-0-confirm_not_duplicate"] = "on"
    data["members-0-reviewed_identity"] = reviewed
    again = officer_client.post(reverse(REGISTER), data)

    assert again.status_code == 200
    assert again.context["formset"].forms[0].candidates
    assert DisplacedPerson.objects.count() == 1


@pytest.mark.parametrize("role", ["analyst", "partner_api"])
def test_registration_is_forbidden_to_roles_without_it(role, agency, site):
    client = signed_in(factories.UserFactory(agency=agency, role=role))
    assert client.get(reverse(REGISTER)).status_code == 403
    assert client.post(reverse(REGISTER), registration_post(site, [{}])).status_code == 403
    assert not Household.objects.exists()


def test_registration_sends_anonymous_visitors_to_sign_in(client, site):
    response = client.post(reverse(REGISTER), registration_post(site, [{}]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Household.objects.exists()


def test_a_member_found_registered_already_can_be_left_out(officer_client, officer, site):
    existing = factories.register_household(actor=officer, site=site).members[0]
    spouse_then_duplicate: list[dict[str, Any]] = [
        {**SPOUSE, "relationship_to_head": "head"},
        {"relationship_to_head": "spouse"},
    ]
    shown = officer_client.post(reverse(REGISTER), registration_post(site, spouse_then_duplicate))
    assert shown.context["formset"].forms[1].candidates[0].person == existing

    data = registration_post(site, spouse_then_duplicate)
    data["members-1-DELETE"] = "on"
    response = officer_client.post(reverse(REGISTER), data)

    assert response.status_code == 302
    household = Household.objects.exclude(pk=existing.household_id).get()
    assert [m.given_name for m in household.members.all()] == ["Peter"]
    assert DisplacedPerson.objects.filter(given_name="Amina").count() == 1


def test_leaving_every_member_out_is_refused(officer_client, site):
    data = registration_post(site, [{}])
    data["members-0-DELETE"] = "on"

    response = officer_client.post(reverse(REGISTER), data)

    assert "Fill in at least one member." in response.content.decode()
    assert not Household.objects.exists()
