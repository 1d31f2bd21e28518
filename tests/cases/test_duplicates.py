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
