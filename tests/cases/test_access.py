"""The registry's services and selectors obey the access policy: other agencies get nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from cases.models import DisplacedPerson
from cases.registry.selectors import household_get, household_list, person_get, person_list
from cases.registry.services import (
    household_relocate,
    person_register,
    person_status_change,
    person_update,
)
from protection.accounts.models import Role
from protection.models import AuditEvent
from tests.factories import SiteFactory, UserFactory, person_data, register_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(officer, site):
    return register_household(actor=officer, site=site)


def _untouched(person: DisplacedPerson) -> None:
    stored = DisplacedPerson.objects.get(pk=person.pk)
    assert (stored.given_name, stored.status, stored.site_id) == (
        person.given_name,
        person.status,
        person.site_id,
    )
    assert not AuditEvent.objects.exclude(
        action__in=["household.register", "person.register"]
    ).exists()


def test_another_agency_cannot_change_the_agencys_people(
    registered, other_officer, other_site
) -> None:
    person = registered.members[0]
    # Even an agency working in the same site does not get the records of another agency.
    registered.household.site.operating_agencies.add(other_officer.agency)

    with pytest.raises(PermissionDenied):
        person_update(actor=other_officer, person=person, changes={"given_name": "X"})
    with pytest.raises(PermissionDenied):
        person_status_change(actor=other_officer, person=person, status="departed", reason="r")
    with pytest.raises(PermissionDenied):
        household_relocate(actor=other_officer, household=registered.household, site=other_site)
    with pytest.raises(PermissionDenied):
        person_register(
            actor=other_officer,
            household=registered.household,
            data=person_data(given_name="Ayen", relationship_to_head="child"),
        )
    _untouched(person)


def test_another_agency_gets_404_and_empty_lists(registered, other_officer) -> None:
    person, household = registered.members[0], registered.household
    with pytest.raises(Http404):
        person_get(user=other_officer, pk=person.pk)
    with pytest.raises(Http404):
        household_get(user=other_officer, pk=household.pk)
    assert not person_list(user=other_officer).exists()
    assert not person_list(user=other_officer, filters={"q": person.registration_number}).exists()
    assert not household_list(user=other_officer).exists()


def test_the_owning_agency_reads_its_records(registered, officer) -> None:
    person = registered.members[0]
    assert person_get(user=officer, pk=person.pk) == person
    assert household_get(user=officer, pk=registered.household.pk) == registered.household
    assert list(person_list(user=officer, filters={"q": person.registration_number})) == [person]


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CASE_WORKER, False),
        (Role.PARTNER_API, False),
        (Role.ANALYST, False),
        (Role.SUPERVISOR, True),
    ],
)
def test_status_change_needs_the_role(registered, agency, role, allowed) -> None:
    user = UserFactory.create(agency=agency, role=role)
    person = registered.members[0]
    if allowed:
        person_status_change(actor=user, person=person, status="departed", reason="Moved on")
        person.refresh_from_db()
        assert person.status == "departed"
    else:
        with pytest.raises(PermissionDenied):
            person_status_change(actor=user, person=person, status="departed", reason="Moved on")
        _untouched(person)


@pytest.mark.parametrize("role", [Role.PARTNER_API, Role.ANALYST])
def test_read_only_roles_cannot_register_or_edit(registered, agency, site, role) -> None:
    user = UserFactory.create(agency=agency, role=role)
    person = registered.members[0]
    with pytest.raises(PermissionDenied):
        register_household(actor=user, site=site, members=[{"given_name": "Kuol", "sex": "male"}])
    with pytest.raises(PermissionDenied):
        person_update(actor=user, person=person, changes={"given_name": "X"})
    _untouched(person)


def test_relocation_only_to_a_site_of_the_agency(registered, officer, other_officer) -> None:
    foreign = SiteFactory.create(managing_agency=other_officer.agency, code="FOR-01")
    with pytest.raises(PermissionDenied):
        household_relocate(actor=officer, household=registered.household, site=foreign)

    foreign.operating_agencies.add(officer.agency)
    household_relocate(actor=officer, household=registered.household, site=foreign)
    assert set(registered.household.members.values_list("site_id", flat=True)) == {foreign.pk}


def test_a_deactivated_officer_can_no_longer_write(registered, officer) -> None:
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    person = registered.members[0]
    with pytest.raises(PermissionDenied):
        person_update(actor=officer, person=person, changes={"given_name": "X"})
    with pytest.raises(PermissionDenied):
        register_household(
            actor=officer,
            site=registered.household.site,
            members=[{"given_name": "Kuol", "date_of_birth": datetime.date(2000, 1, 1)}],
        )
    _untouched(person)
