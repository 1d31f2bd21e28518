"""Identifiers in the admin: listed by registration number (never the number), found by the
exact number, removed through the service (audited); another agency's are not listed."""

from typing import Any

import pytest
from django.urls import reverse

from cases.models import PersonIdentifier
from cases.registry.identifiers import IdentifierData, person_identifier_add
from protection.models import AuditEvent
from tests.factories import register_household

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:cases_personidentifier_changelist"


def _identifier(actor: Any, site: Any, number: str) -> PersonIdentifier:
    person = register_household(actor=actor, site=site).members[0]
    data = IdentifierData(kind="document", scheme="passport", number=number)
    return person_identifier_add(actor=actor, person=person, data=data)


def test_agency_admin_finds_by_number_and_removes_through_the_service(
    client: Any, agency_admin: Any, officer: Any, site: Any, other_officer: Any, other_site: Any
) -> None:
    ours = _identifier(officer, site, "P 0042 117")
    theirs = _identifier(other_officer, other_site, "P 9999 001")
    client.force_login(agency_admin)

    page = client.get(reverse(CHANGELIST)).content.decode()
    assert ours.person.registration_number in page
    assert theirs.person.registration_number not in page
    assert "0042" not in page and "Amina" not in page
    found = client.get(reverse(CHANGELIST), {"q": "p0042117"}).content.decode()
    assert ours.person.registration_number in found
    missed = client.get(reverse(CHANGELIST), {"q": "P 0042"}).content.decode()
    assert ours.person.registration_number not in missed

    response = client.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [ours.pk], "post": "yes"},
        follow=True,
    )

    assert response.status_code == 200
    assert list(PersonIdentifier.objects.values_list("pk", flat=True)) == [theirs.pk]
    event = AuditEvent.objects.get(action="person.identifier_remove")
    assert event.actor == agency_admin
    other = reverse("admin:cases_personidentifier_change", args=[theirs.pk])
    assert client.get(other).status_code in (302, 404)
