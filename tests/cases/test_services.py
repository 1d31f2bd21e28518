"""Registry services: register households, edit people, change status, relocate; all audited."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from camps.models import SiteStatus
from cases.models import (
    DisplacedPerson,
    DuplicateReview,
    Household,
    PersonSpecificNeed,
    PersonStatus,
)
from cases.registry import services
from cases.registry.selectors import person_list
from cases.registry.services import (
    household_relocate,
    person_register,
    person_status_change,
    person_update,
)
from protection import codes
from protection.audit_values import value_hash
from protection.models import AuditEvent
from tests.factories import SiteFactory, person_data, register_household

pytestmark = pytest.mark.django_db

SPOUSE = {
    "given_name": "Joseph",
    "family_name": "Lado",
    "sex": "male",
    "relationship_to_head": "spouse",
    "date_of_birth": datetime.date(1986, 2, 3),
}


def _today() -> datetime.date:
    return timezone.localdate()


def _counts() -> dict[str, int]:
    return {
        "households": Household.objects.count(),
        "people": DisplacedPerson.objects.count(),
        "needs": PersonSpecificNeed.objects.count(),
        "reviews": DuplicateReview.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


# household_register --------------------------------------------------------------------------


def test_household_register_writes_household_members_needs_and_audit(officer, site) -> None:
    result = register_household(
        actor=officer,
        site=site,
        address="Block C, plot 12",
        members=[
            {"specific_needs": ["WR-LC", "DS-PM"]},
            SPOUSE,
            {
                "given_name": "Nyandeng",
                "family_name": "Lado",
                "relationship_to_head": "child",
                "date_of_birth": None,
                "estimated_age": 9,
                "specific_needs": ["CR-NE"],
            },
        ],
    )

    household = Household.objects.get()
    assert household == result.household
    assert household.site == site
    assert household.owning_agency == officer.agency
    assert household.created_by == officer
    assert household.address == "Block C, plot 12"
    assert household.code.startswith("H-")
    people = list(household.members.order_by("id"))
    assert people == result.members
    assert [p.relationship_to_head for p in people] == ["head", "spouse", "child"]
    assert {p.site_id for p in people} == {site.pk}
    assert {p.owning_agency_id for p in people} == {officer.agency_id}
    assert all(p.registration_number.startswith("P-") for p in people)
    head = people[0]
    assert (head.given_key, head.family_key) != ("", "")
    assert head.name_search == "amina mohammed"
    assert sorted(head.specific_needs.values_list("code", flat=True)) == ["DS-PM", "WR-LC"]
    assert {r.recorded_by_id for r in PersonSpecificNeed.objects.all()} == {officer.pk}
    assert PersonSpecificNeed.objects.count() == 3

    household_event = AuditEvent.objects.get(action="household.register")
    assert household_event.object_id == str(household.pk)
    assert household_event.changes["address"] == [None, value_hash("address", "Block C, plot 12")]
    person_events = AuditEvent.objects.filter(action="person.register").order_by("id")
    assert [e.object_id for e in person_events] == [str(p.pk) for p in people]
    for event in (household_event, *person_events):
        assert event.actor == officer
        assert event.agency == officer.agency
    head_event = person_events[0]
    assert head_event.changes["given_name"] == [None, value_hash("given_name", "Amina")]
    assert head_event.changes["specific_needs"] == [None, ["DS-PM", "WR-LC"]]
    assert head_event.changes["site"] == [None, site.pk]


def test_an_estimated_age_gives_an_estimated_date_of_birth(officer, site) -> None:
    result = register_household(
        actor=officer, site=site, members=[{"date_of_birth": None, "estimated_age": 40}]
    )
    person = result.members[0]
    assert person.date_of_birth == datetime.date(_today().year - 40, 1, 1)
    assert person.date_of_birth_estimated is True


def test_a_known_date_of_birth_is_not_estimated(officer, site) -> None:
    person = register_household(actor=officer, site=site).members[0]
    assert person.date_of_birth == datetime.date(1990, 5, 17)
    assert person.date_of_birth_estimated is False


@pytest.mark.parametrize(
    ("members", "error_key"),
    [
        ([{"relationship_to_head": "spouse"}], "members"),
        ([{}, {**SPOUSE, "relationship_to_head": "head"}], "members"),
        ([], "members"),
    ],
    ids=["no head", "two heads", "nobody"],
)
def test_a_household_has_exactly_one_head(officer, site, members, error_key) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as raised:
        services.household_register(
            actor=officer, site=site, members=[person_data(**m) for m in members]
        )
    assert error_key in raised.value.message_dict
    assert _counts() == before


def _future(days: int = 1) -> datetime.date:
    return _today() + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("member", "field"),
    [
        ({"date_of_birth": "FUTURE"}, "date_of_birth"),
        ({"consent_date": "FUTURE"}, "consent_date"),
        ({"arrived_on": "FUTURE"}, "arrived_on"),
        ({"displaced_on": "FUTURE"}, "displaced_on"),
        ({"date_of_birth": None, "estimated_age": 130}, "estimated_age"),
        ({"date_of_birth": None}, "date_of_birth"),
        ({"given_name": "  "}, "given_name"),
        ({"specific_needs": ["SC-UC", "CR-AF", "WR-WR"]}, "specific_needs"),
    ],
    ids=[
        "born tomorrow",
        "consent tomorrow",
        "arrives tomorrow",
        "displaced tomorrow",
        "age 130",
        "no age at all",
        "blank name",
        "child codes for an adult",
    ],
)
def test_bad_member_data_is_refused_field_by_field_and_nothing_is_written(
    officer, site, member, field
) -> None:
    member = {k: (_future() if v == "FUTURE" else v) for k, v in member.items()}
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        register_household(actor=officer, site=site, members=[{}, {**SPOUSE, **member}])

    assert list(raised.value.message_dict) == [f"members.1.{field}"]
    assert _counts() == before


def test_child_codes_name_the_codes_refused_for_an_adult(officer, site) -> None:
    with pytest.raises(ValidationError) as raised:
        register_household(actor=officer, site=site, members=[{"specific_needs": ["SC-UC"]}])
    assert "SC-UC" in raised.value.message_dict["members.0.specific_needs"][0]


def test_child_codes_are_accepted_for_a_child(officer, site) -> None:
    child = {
        "given_name": "Deng",
        "relationship_to_head": "child",
        "sex": "male",
        "date_of_birth": _today().replace(year=_today().year - 10, day=1),
        "specific_needs": ["SC-SC"],
    }
    result = register_household(actor=officer, site=site, members=[{}, child])
    assert list(result.members[1].specific_needs.values_list("code", flat=True)) == ["SC-SC"]


def test_a_future_registration_date_is_refused(officer, site) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as raised:
        register_household(actor=officer, site=site, registered_on=_future())
    assert "registered_on" in raised.value.message_dict
    assert _counts() == before


def test_a_closed_site_is_refused(officer, site) -> None:
    site.status = SiteStatus.CLOSED
    site.save(update_fields=["status"])
    before = _counts()
    with pytest.raises(ValidationError) as raised:
        register_household(actor=officer, site=site)
    assert "site" in raised.value.message_dict
    assert _counts() == before


def test_a_site_of_another_agency_is_refused(officer, other_site) -> None:
    before = _counts()
    with pytest.raises(PermissionDenied):
        register_household(actor=officer, site=other_site)
    assert _counts() == before


def test_a_failure_half_way_through_the_writes_leaves_nothing(officer, site, monkeypatch) -> None:
    original = services.record_people
    written = []

    def fail_after_the_members_and_their_needs(**kwargs):
        original(**kwargs)  # the people, their needs and dismissed matches are written
        written.append(DisplacedPerson.objects.filter(pk=kwargs["people"][1][0].pk).exists())
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_people", fail_after_the_members_and_their_needs)
    before = _counts()

    with pytest.raises(RuntimeError):
        register_household(
            actor=officer, site=site, members=[{"specific_needs": ["WR-LC"]}, SPOUSE]
        )

    assert written == [True]
    assert _counts() == before


# person_register ------------------------------------------------------------------------------


def test_person_register_adds_a_member_but_never_a_second_head(officer, site) -> None:
    household = register_household(actor=officer, site=site).household
    baby = person_data(
        given_name="Achol",
        relationship_to_head="child",
        date_of_birth=_today() - datetime.timedelta(days=20),
    )
    person = person_register(actor=officer, household=household, data=baby)
    assert person.household == household
    assert person.site == site
    assert AuditEvent.objects.filter(action="person.register", object_id=str(person.pk)).exists()

    before = _counts()
    with pytest.raises(ValidationError) as raised:
        person_register(
            actor=officer,
            household=household,
            data=person_data(**{**SPOUSE, "relationship_to_head": "head"}),
        )
    assert "relationship_to_head" in raised.value.message_dict
    assert _counts() == before


# person_update --------------------------------------------------------------------------------


def test_person_update_audits_only_changed_fields_and_rekeys_the_name(officer, site) -> None:
    person = register_household(actor=officer, site=site).members[0]
    assert not person_list(user=officer, filters={"q": "Nyakuoth"}).exists()

    updated = person_update(
        actor=officer,
        person=person,
        changes={"given_name": "Nyakuoth", "family_name": "Mohammed", "phone": "+211 912 000 111"},
    )

    person.refresh_from_db()
    assert person.given_name == "Nyakuoth"
    assert person.name_search == "nyakuoth mohammed"
    assert updated.given_key == person.given_key != ""
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes == {
        "given_name": [value_hash("given_name", "Amina"), value_hash("given_name", "Nyakuoth")],
        "phone": ["", value_hash("phone", "+211 912 000 111")],
    }
    assert event.actor == officer
    # Search finds the new name, even misspelled, and no longer the old one.
    assert list(person_list(user=officer, filters={"q": "Nyakuot"})) == [person]
    assert list(person_list(user=officer, filters={"q": "nyakuoth mohamed"})) == [person]
    assert not person_list(user=officer, filters={"q": "Amina"}).exists()


def test_person_update_without_a_change_writes_no_audit_event(officer, site) -> None:
    person = register_household(actor=officer, site=site).members[0]
    person_update(actor=officer, person=person, changes={"given_name": "Amina"})
    assert not AuditEvent.objects.filter(action="person.update").exists()


def test_person_update_changes_specific_needs_and_audits_the_codes(officer, site) -> None:
    from cases.models import SpecificNeed

    person = register_household(
        actor=officer, site=site, members=[{"specific_needs": ["WR-LC"]}]
    ).members[0]
    needs = list(SpecificNeed.objects.filter(code__in=["DS-BD"]).select_related("category"))

    person_update(actor=officer, person=person, changes={}, specific_needs=needs)

    assert list(person.specific_needs.values_list("code", flat=True)) == ["DS-BD"]
    event = AuditEvent.objects.get(action="person.update")
    assert event.changes == {"specific_needs": [["WR-LC"], ["DS-BD"]]}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"registration_number": "P-0000-0000"}, "registration_number"),
        ({"owning_agency_id": 1}, "owning_agency_id"),
        ({"date_of_birth": "FUTURE"}, "date_of_birth"),
        ({"family_name": ""}, "family_name"),
    ],
)
def test_person_update_refuses_bad_or_forbidden_changes(officer, site, changes, field) -> None:
    person = register_household(actor=officer, site=site).members[0]
    changes = {k: (_future() if v == "FUTURE" else v) for k, v in changes.items()}
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        person_update(actor=officer, person=person, changes=changes)

    assert field in raised.value.message_dict
    assert _counts() == before
    stored = DisplacedPerson.objects.get(pk=person.pk)
    assert (stored.family_name, stored.date_of_birth) == ("Mohammed", datetime.date(1990, 5, 17))


# person_status_change -------------------------------------------------------------------------


def test_a_status_change_is_recorded_with_its_reason(officer, site) -> None:
    person = register_household(actor=officer, site=site).members[0]
    day = _today() - datetime.timedelta(days=2)

    person_status_change(
        actor=officer, person=person, status="departed", reason=" Left for Juba ", effective_on=day
    )

    person.refresh_from_db()
    assert (person.status, person.status_reason, person.status_changed_on) == (
        "departed",
        "Left for Juba",
        day,
    )
    event = AuditEvent.objects.get(action="person.status_change")
    assert event.changes == {
        "status": ["active", "departed"],
        "status_reason": ["", value_hash("status_reason", "Left for Juba")],
        "status_changed_on": [None, day.isoformat()],
    }


@pytest.mark.parametrize(
    ("status", "reason", "effective_on", "field"),
    [
        ("departed", "   ", None, "reason"),
        ("active", "still here", None, "status"),
        ("vanished", "unknown", None, "status"),
        ("departed", "left", "FUTURE", "effective_on"),
    ],
    ids=["no reason", "same status", "unknown status", "future date"],
)
def test_status_change_rules(officer, site, status, reason, effective_on, field) -> None:
    person = register_household(actor=officer, site=site).members[0]
    effective_on = _future() if effective_on == "FUTURE" else effective_on
    before = _counts()

    with pytest.raises(ValidationError) as raised:
        person_status_change(
            actor=officer, person=person, status=status, reason=reason, effective_on=effective_on
        )

    assert field in raised.value.message_dict
    assert _counts() == before
    person.refresh_from_db()
    assert person.status == PersonStatus.ACTIVE


def test_deceased_is_final(officer, site) -> None:
    person = register_household(actor=officer, site=site).members[0]
    person_status_change(
        actor=officer, person=person, status="deceased", reason="Reported by family"
    )

    for status in ("active", "departed"):
        with pytest.raises(ValidationError) as raised:
            person_status_change(actor=officer, person=person, status=status, reason="mistake")
        assert "status" in raised.value.message_dict
    person.refresh_from_db()
    assert person.status == PersonStatus.DECEASED


# household_relocate ---------------------------------------------------------------------------


def test_household_relocate_moves_every_member(officer, site) -> None:
    new_site = SiteFactory.create(managing_agency=officer.agency, code="KAK-02", name="Kakuma Two")
    result = register_household(actor=officer, site=site, members=[{}, SPOUSE])

    household_relocate(actor=officer, household=result.household, site=new_site, address=" Zone 4 ")

    household = Household.objects.get(pk=result.household.pk)
    assert (household.site, household.address) == (new_site, "Zone 4")
    assert set(household.members.values_list("site_id", flat=True)) == {new_site.pk}
    event = AuditEvent.objects.get(action="household.relocate")
    assert event.changes == {
        "site": [site.pk, new_site.pk],
        "address": ["", value_hash("address", "Zone 4")],
    }


def test_household_relocate_refuses_same_closed_or_foreign_sites(officer, site, other_site) -> None:
    household = register_household(actor=officer, site=site).household
    closed = SiteFactory.create(managing_agency=officer.agency, code="OLD-01", status="closed")
    before = _counts()

    with pytest.raises(ValidationError):
        household_relocate(actor=officer, household=household, site=site)
    with pytest.raises(ValidationError):
        household_relocate(actor=officer, household=household, site=closed)
    with pytest.raises(PermissionDenied):
        household_relocate(actor=officer, household=household, site=other_site)

    assert _counts() == before
    assert set(DisplacedPerson.objects.values_list("site_id", flat=True)) == {site.pk}


# duplicate check at registration ----------------------------------------------------------------


def test_an_older_registration_is_found_when_many_people_share_the_name(
    officer, site, monkeypatch
) -> None:
    """More people share the phonetic key than are read: the closest, not the newest, win."""
    from cases.registry import blocking
    from cases.registry.records import DuplicatesFound

    original = register_household(actor=officer, site=site).members[0]
    for index, given in enumerate(["Joseph", "Peter", "Achol", "Deng", "Nyandeng"]):
        register_household(
            actor=officer,
            site=site,
            members=[
                {
                    "given_name": given,
                    "sex": "female" if index % 2 else "male",
                    "date_of_birth": datetime.date(1989 + index % 3, 1 + index, 3),
                    "confirm_not_duplicate": True,
                }
            ],
        )
    monkeypatch.setattr(blocking, "ROWS_PER_SIDE", 1)
    monkeypatch.setattr(blocking, "SAME_NAMES_ROWS_PER_SIDE", 1)
    monkeypatch.setattr(blocking, "LETTERS_ROWS_PER_SIDE", 1)
    before = _counts()

    with pytest.raises(DuplicatesFound) as raised:
        register_household(
            actor=officer,
            site=site,
            members=[
                {
                    "given_name": "Aminah",
                    "family_name": "Muhammad",
                    "date_of_birth": datetime.date(1990, 6, 1),
                }
            ],
        )

    assert raised.value.candidates[0][0].person == original
    assert _counts() == before


def test_a_household_whose_drawn_code_is_taken_draws_again(officer, site, monkeypatch) -> None:
    taken = register_household(actor=officer, site=site).members[0].registration_number
    draws = iter([taken, taken])  # the first member twice: registered already, and in the batch
    original = codes.new_code

    def drawn(prefix: str) -> str:
        return (next(draws, None) if prefix == codes.PERSON_PREFIX else None) or original(prefix)

    monkeypatch.setattr(codes, "new_code", drawn)
    household: list[dict[str, Any]] = [
        {"given_name": "Nyandeng", "family_name": "Kuol"},
        {**SPOUSE, "given_name": "Majok", "family_name": "Kuol"},
    ]
    members = register_household(actor=officer, site=site, members=household).members

    numbers = [person.registration_number for person in members]
    assert taken not in numbers and len(set(numbers)) == 2
    assert DisplacedPerson.objects.filter(registration_number__in=numbers).count() == 2
