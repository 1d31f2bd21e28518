"""Fixtures of the page tests: users of every role, registered households, form payloads."""

import datetime
from typing import Any

import pytest
from django.test import Client

from cases.models import DisplacedPerson, DuplicateReview, Household
from protection.models import AuditEvent
from tests import factories
from tests.dates import days_ago


def member_fields(index: int, **overrides: Any) -> dict[str, Any]:
    """Return the POST fields of one member row of the registration formset."""
    values: dict[str, Any] = {
        "given_name": "Amina",
        "family_name": "Mohammed",
        "other_names": "",
        "sex": "female",
        "relationship_to_head": "head",
        "date_of_birth": "1990-05-17",
        "estimated_age": "",
        "nationality": "South Sudan",
        "languages": "Arabic, Nuer",
        "displacement_status": "IDP",
        "origin_country": "SSD",
        "origin_location": "Malakal",
        "displaced_on": "2024-02-01",
        "arrived_on": "2024-02-10",
        "phone": "+211 912 345 678",
        "documents": ["national_id"],
        "specific_needs": [],
        "consent_date": days_ago(29).isoformat(),
        "consent_given_by": "person",
        "consent_scope": "registration",
    }
    values.update(overrides)
    return {f"members-{index}-{name}": value for name, value in values.items()}


def registration_post(
    site: Any, members: list[dict[str, Any]], *, rows: int | None = None, **household: Any
) -> dict[str, Any]:
    """Return the POST of the household registration page with these member rows."""
    data: dict[str, Any] = {
        "site": site.pk,
        "address": household.get("address", "Block C, plot 12"),
        "registered_on": household.get("registered_on", days_ago(1).isoformat()),
        # What the household gives every member unless a member's row says otherwise.
        "displacement_status": household.get("displacement_status", "IDP"),
        "consent_given_by": household.get("consent_given_by", "person"),
        "consent_date": household.get("consent_date", days_ago(29).isoformat()),
        "consent_scope": household.get("consent_scope", "registration"),
        "members-TOTAL_FORMS": str(rows if rows is not None else len(members)),
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "30",
    }
    for index, member in enumerate(members):
        data.update(member_fields(index, **member))
    return data


def single_member_post(**overrides: Any) -> dict[str, Any]:
    """Return the POST of the add-member page (form prefix "member")."""
    fields = member_fields(0, **overrides)
    return {key.replace("members-0-", "member-"): value for key, value in fields.items()}


SPOUSE: dict[str, Any] = {
    "given_name": "Peter",
    "family_name": "Lado",
    "sex": "male",
    "relationship_to_head": "spouse",
    "date_of_birth": "1985-01-01",
    "nationality": "",
    "documents": [],
}
CHILD: dict[str, Any] = {
    "given_name": "Akuol",
    "family_name": "Lado",
    "relationship_to_head": "child",
    "date_of_birth": "",
    "estimated_age": "7",
    "consent_given_by": "caregiver",
    "specific_needs": ["SC-SC"],
    "documents": ["birth_certificate"],
}


def registry_counts() -> tuple[int, int, int, int]:
    """Return how many households, people, duplicate reviews and audit events exist."""
    return (
        Household.objects.count(),
        DisplacedPerson.objects.count(),
        DuplicateReview.objects.count(),
        AuditEvent.objects.exclude(action__startswith="user.").count(),
    )


@pytest.fixture
def analyst(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="analyst", username="analyst")


@pytest.fixture
def partner_api(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="partner_api", username="partner")


@pytest.fixture
def case_worker(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="case_worker", username="caseworker")


def signed_in(user: Any) -> Client:
    """Return a browser session signed in as the user."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer_client(officer: Any) -> Client:
    return signed_in(officer)


@pytest.fixture
def household(officer: Any, site: Any) -> Household:
    """A household of two registered by the officer's agency."""
    return factories.register_household(
        actor=officer,
        site=site,
        members=[
            {"given_name": "Muhammad", "family_name": "Deng", "sex": "male"},
            {
                "given_name": "Nyibol",
                "family_name": "Deng",
                "relationship_to_head": "spouse",
                "date_of_birth": datetime.date(1993, 3, 2),
            },
        ],
    ).household


@pytest.fixture
def other_household(other_officer: Any, other_site: Any) -> Household:
    """A household of another agency, which the officer must not see."""
    return factories.register_household(
        actor=other_officer,
        site=other_site,
        members=[{"given_name": "Achol", "family_name": "Garang"}],
    ).household
