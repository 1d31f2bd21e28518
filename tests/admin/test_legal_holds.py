"""Legal holds in the admin: an agency administrator holds and releases its own records."""

from typing import Any

import pytest
from django.urls import reverse

from cases.models import DisplacedPerson
from protection.models import AuditEvent
from tests import factories
from tests.factories import register_household

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:cases_persononhold_changelist"


def _act(client: Any, action: str, *people: DisplacedPerson) -> Any:
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [p.pk for p in people]},
        follow=True,
    )


def test_agency_admin_places_and_lifts_a_hold_audited(
    client: Any, agency_admin: Any, officer: Any, site: Any
) -> None:
    person = register_household(actor=officer, site=site).members[0]
    client.force_login(agency_admin)

    page = client.get(reverse(CHANGELIST)).content.decode()
    assert person.registration_number in page and "Amina" not in page
    response = _act(client, "hold_place", person)

    assert "1 record changed." in response.content.decode()
    person.refresh_from_db()
    assert person.legal_hold
    event = AuditEvent.objects.get(action="person.legal_hold", object_id=str(person.pk))
    assert event.actor == agency_admin and event.changes == {"legal_hold": [False, True]}
    _act(client, "hold_lift", person)
    person.refresh_from_db()
    assert not person.legal_hold


def test_another_agencys_records_are_not_listed_nor_held(
    client: Any, other_agency: Any, officer: Any, site: Any
) -> None:
    person = register_household(actor=officer, site=site).members[0]
    stranger = factories.UserFactory(
        agency=other_agency, role="admin", is_staff=True, username="other_admin"
    )
    client.force_login(stranger)

    assert person.registration_number not in client.get(reverse(CHANGELIST)).content.decode()
    change = reverse("admin:cases_persononhold_change", args=[person.pk])
    assert client.get(change, follow=True).status_code in (302, 404) or (
        person.registration_number not in client.get(change, follow=True).content.decode()
    )
    _act(client, "hold_place", person)
    person.refresh_from_db()
    assert not person.legal_hold
    assert not AuditEvent.objects.filter(action="person.legal_hold").exists()
