"""The access policy: the role matrix, default deny, and agency scoping of sites and people."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from protection import access
from protection.access import ROLE_ACTIONS, Action
from protection.accounts.models import Role, User
from tests.factories import AgencyFactory, SiteFactory, UserFactory, register_household

pytestmark = pytest.mark.django_db

A = Action
READ_ONLY = {A.VIEW_AGENCIES, A.VIEW_SITES, A.VIEW_AGGREGATES}
REGISTRY = {A.VIEW_PEOPLE, A.REGISTER_PEOPLE, A.EDIT_PEOPLE}

# The registry part of the matrix README shows, written out by hand so that a change to
# ROLE_ACTIONS that widens or narrows a role shows up here.
REGISTRY_MATRIX = {
    Role.ADMIN: READ_ONLY | REGISTRY | {A.MANAGE_SITES, A.CHANGE_PERSON_STATUS},
    Role.SUPERVISOR: READ_ONLY | REGISTRY | {A.CHANGE_PERSON_STATUS},
    Role.PROTECTION_OFFICER: READ_ONLY | REGISTRY | {A.CHANGE_PERSON_STATUS},
    Role.CASE_WORKER: READ_ONLY | REGISTRY,
    Role.PARTNER_API: READ_ONLY | {A.VIEW_PEOPLE},
    Role.ANALYST: READ_ONLY,
}
REGISTRY_ACTIONS = READ_ONLY | REGISTRY | {A.MANAGE_SITES, A.CHANGE_PERSON_STATUS}


def test_every_role_has_a_row_in_the_matrix() -> None:
    assert set(ROLE_ACTIONS) == set(Role.values)


@pytest.mark.parametrize("role", Role.values)
def test_can_follows_the_role_matrix_for_every_action(role, agency) -> None:
    user = UserFactory.create(agency=agency, role=role)
    for action in Action:
        assert access.can(user, action) == (action in ROLE_ACTIONS[role]), (role, action)


@pytest.mark.parametrize("role", Role.values)
def test_registry_actions_per_role(role, agency) -> None:
    user = UserFactory.create(agency=agency, role=role)
    allowed = {action for action in REGISTRY_ACTIONS if access.can(user, action)}
    assert allowed == REGISTRY_MATRIX[role]


def test_require_raises_permission_denied_when_the_role_does_not_allow(agency) -> None:
    analyst = UserFactory.create(agency=agency, role=Role.ANALYST)
    access.require(analyst, A.VIEW_SITES)
    with pytest.raises(PermissionDenied):
        access.require(analyst, A.REGISTER_PEOPLE)


@pytest.fixture
def registered(officer, site):
    """A household registered by the officer at the agency's site."""
    return register_household(actor=officer, site=site)


def _sees_nothing(user) -> None:
    assert not any(access.can(user, action) for action in Action)
    assert not access.sites_for(user).exists()
    assert not access.people_for(user).exists()
    assert not access.households_for(user).exists()
    assert access.agency_of(user) is None


def test_the_officer_sees_the_agencys_records(officer, site, registered) -> None:
    assert list(access.sites_for(officer)) == [site]
    assert list(access.households_for(officer)) == [registered.household]
    assert list(access.people_for(officer)) == registered.members


def test_an_inactive_user_sees_nothing(officer, registered) -> None:
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    _sees_nothing(officer)


def test_a_user_of_an_inactive_agency_sees_nothing(officer, agency, registered) -> None:
    agency.active = False
    agency.save(update_fields=["active"])
    officer.refresh_from_db()
    _sees_nothing(officer)


def test_an_anonymous_user_sees_nothing(registered) -> None:
    _sees_nothing(AnonymousUser())
    _sees_nothing(None)


def test_a_superuser_without_an_agency_sees_no_records(registered) -> None:
    root = User.objects.create_superuser(username="root", email="", password="x" * 12)
    _sees_nothing(root)


def test_an_unknown_role_is_denied(officer, registered) -> None:
    officer.role = "visitor"
    assert not any(access.can(officer, action) for action in Action)
    assert not access.people_for(officer).exists()


def test_a_site_the_agency_neither_manages_nor_operates_in_is_invisible(
    officer, site, other_site
) -> None:
    assert other_site not in access.sites_for(officer)
    assert not access.site_allows_registration(officer, other_site)
    assert access.site_allows_registration(officer, site)

    other_site.operating_agencies.add(officer.agency)
    assert set(access.sites_for(officer)) == {site, other_site}
    assert access.site_allows_registration(officer, other_site)


def test_a_role_without_registry_rights_sees_sites_but_no_people(agency, registered) -> None:
    analyst = UserFactory.create(agency=agency, role=Role.ANALYST)
    assert access.sites_for(analyst).exists()
    assert not access.people_for(analyst).exists()
    assert not access.households_for(analyst).exists()
    assert not access.site_allows_registration(analyst, registered.household.site)


def test_people_stay_with_their_agency_in_a_shared_site(officer, other_officer) -> None:
    """A person owned by A, in a site B manages and A operates in: A sees it, B does not."""
    shared = SiteFactory.create(managing_agency=other_officer.agency, code="SHR-01")
    shared.operating_agencies.add(officer.agency)
    third = AgencyFactory.create(acronym="TRD")
    shared.operating_agencies.add(third)
    third_officer = UserFactory.create(agency=third, role=Role.PROTECTION_OFFICER)

    ours = register_household(actor=officer, site=shared)
    theirs = register_household(
        actor=other_officer, site=shared, members=[{"given_name": "Joseph", "sex": "male"}]
    )

    assert shared in access.sites_for(officer)
    assert shared in access.sites_for(other_officer)
    assert list(access.people_for(officer)) == ours.members
    assert list(access.households_for(officer)) == [ours.household]
    assert list(access.people_for(other_officer)) == theirs.members
    assert list(access.households_for(other_officer)) == [theirs.household]
    assert not access.people_for(third_officer).exists()


def test_people_left_behind_in_a_site_the_agency_no_longer_works_in_are_hidden(
    officer, other_officer
) -> None:
    shared = SiteFactory.create(managing_agency=other_officer.agency, code="SHR-02")
    shared.operating_agencies.add(officer.agency)
    register_household(actor=officer, site=shared)
    assert access.people_for(officer).exists()

    shared.operating_agencies.remove(officer.agency)

    assert not access.people_for(officer).exists()
    assert not access.households_for(officer).exists()
