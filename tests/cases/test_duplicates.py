"""Duplicate detection at registration: likely matches found, confirmed dismissals recorded."""

import datetime

import pytest

from cases.models import DisplacedPerson, DuplicateReview
from cases.registry.duplicates import normalise, phonetic_key
from cases.registry.records import DuplicatesFound
from protection.models import AuditEvent
from tests.factories import register_household

pytestmark = pytest.mark.django_db


def test_normalise_removes_accents_case_and_script() -> None:
    assert normalise("  Éloïse  N'Diaye-Kaboré ") == "eloise ndiaye kabore"
    assert normalise("محمد") == "mhmd"


def test_phonetic_key_agrees_on_common_spellings() -> None:
    assert phonetic_key("Mohamad") == phonetic_key("Muhammad") == phonetic_key("Mohammed")
    assert phonetic_key("Abdel Rahman") == phonetic_key("Abdelrahman")


def test_misspelled_registration_is_stopped_with_the_match(officer, site) -> None:
    original = register_household(actor=officer, site=site).members[0]

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

    matches = raised.value.candidates[0]
    assert [m.person.pk for m in matches] == [original.pk]
    assert matches[0].score >= 80
    assert DisplacedPerson.objects.count() == 1


def test_different_person_is_not_flagged(officer, site) -> None:
    register_household(actor=officer, site=site)
    result = register_household(
        actor=officer,
        site=site,
        members=[
            {
                "given_name": "Joseph",
                "family_name": "Lado",
                "sex": "male",
                "date_of_birth": datetime.date(1975, 1, 1),
            }
        ],
    )
    assert len(result.members) == 1


def test_same_name_far_apart_in_age_is_not_flagged(officer, site) -> None:
    register_household(actor=officer, site=site)
    result = register_household(
        actor=officer, site=site, members=[{"date_of_birth": datetime.date(2012, 5, 17)}]
    )
    assert result.members[0].given_name == "Amina"


def test_confirmed_not_duplicate_is_registered_and_recorded(officer, site) -> None:
    original = register_household(actor=officer, site=site).members[0]
    result = register_household(actor=officer, site=site, members=[{"confirm_not_duplicate": True}])
    review = DuplicateReview.objects.get()
    assert review.person == result.members[0]
    assert review.candidate == original
    assert review.decided_by == officer
    dismissed = AuditEvent.objects.get(action="person.duplicate_dismissed")
    assert dismissed.object_id == str(result.members[0].pk)
    assert dismissed.changes["candidate"] == [None, original.registration_number]
    assert dismissed.changes["score"] == [None, review.score]


def test_other_agencys_people_are_never_shown_as_matches(
    officer, site, other_officer, other_site
) -> None:
    register_household(actor=other_officer, site=other_site)
    result = register_household(actor=officer, site=site)
    assert len(result.members) == 1


def test_a_household_with_many_dismissed_matches_is_audited_in_order(officer, site) -> None:
    """Thirty-one events and 24 dismissed matches (each one COPY): the household, then each
    member and its dismissals, in order; each review under its member."""
    from protection.audit_chain import AUDIT_CHAIN
    from protection.audit_verify import chain_verify

    earlier = [
        register_household(
            actor=officer, site=site, members=[{"confirm_not_duplicate": True}]
        ).members[0]
        for _index in range(4)
    ]
    newest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    members = [{"confirm_not_duplicate": True}] + [
        {"confirm_not_duplicate": True, "relationship_to_head": "sibling"} for _index in range(5)
    ]
    result = register_household(actor=officer, site=site, members=members)

    events = list(AuditEvent.objects.filter(seq__gt=newest).order_by("seq"))
    expected = [("household.register", str(result.household.pk))]
    for person in result.members:
        expected.append(("person.register", str(person.pk)))
        expected += [("person.duplicate_dismissed", str(person.pk))] * len(earlier)
    assert [(event.action, event.object_id) for event in events] == expected
    assert [event.id for event in events] == sorted(event.id for event in events)
    codes = sorted(person.registration_number for person in earlier)
    dismissed = [event for event in events if event.action == "person.duplicate_dismissed"]
    assert sorted(event.changes["candidate"][1] for event in dismissed[:4]) == codes
    assert all(event.actor_id == officer.pk for event in events)
    reviews = DuplicateReview.objects.filter(person__household=result.household)
    assert sorted(reviews.values_list("person_id", "candidate_id", "decided_by_id")) == sorted(
        (person.pk, candidate.pk, officer.pk) for person in result.members for candidate in earlier
    )
    assert {review.score for review in reviews} == {100}
    assert chain_verify(AUDIT_CHAIN).ok
