"""Name search gives the same people, newest first, whichever plan narrow_search picks."""

import datetime

import pytest

from cases.registry import filters
from cases.registry.selectors import person_list
from tests.factories import register_household

pytestmark = pytest.mark.django_db


def _register_namesakes(officer, site, count: int) -> None:
    for index in range(count):
        register_household(
            actor=officer,
            site=site,
            members=[
                {
                    "given_name": f"Given{index}",
                    "family_name": "Muhammad",
                    "date_of_birth": datetime.date(1950 + 2 * index, 1, 1),
                    "confirm_not_duplicate": True,
                }
            ],
        )


@pytest.mark.parametrize("cap", [2, 100])
def test_search_result_is_the_same_below_and_above_the_id_cap(
    officer, site, monkeypatch, cap
) -> None:
    _register_namesakes(officer, site, 5)
    register_household(
        actor=officer,
        site=site,
        members=[{"given_name": "Joseph", "family_name": "Lado", "sex": "male"}],
    )
    monkeypatch.setattr(filters, "SEARCH_ID_CAP", cap)

    found = list(person_list(user=officer, filters={"q": "Mohamad"}))

    assert [p.given_name for p in found] == [f"Given{i}" for i in reversed(range(5))]


def test_search_never_reaches_outside_the_users_scope(
    officer, site, other_officer, other_site
) -> None:
    register_household(actor=other_officer, site=other_site, members=[{"family_name": "Muhammad"}])
    assert list(person_list(user=officer, filters={"q": "Muhammad"})) == []


# The spellings the field writes for the same name (issue 12): each must find the registered one,
# whether the name is the person's given name, family name or a second family name.
EVERYDAY_VARIANTS = [
    ("Rebeca", "Rebecca"),
    ("Rebbeca", "Rebecca"),
    ("Dheng", "Deng"),
    ("Nyock", "Nyok"),
    ("Gatkouth", "Gatkuoth"),
]


@pytest.mark.parametrize(("typed", "registered"), EVERYDAY_VARIANTS)
def test_an_everyday_misspelling_finds_the_name_wherever_it_stands(
    officer, site, typed, registered
) -> None:
    members = [
        {"given_name": registered, "family_name": "Lual", "sex": "female"},
        {"given_name": "Achol", "family_name": registered, "sex": "female"},
        {"given_name": "Mary", "family_name": f"Akech {registered}", "sex": "female"},
    ]
    for member in members:
        register_household(
            actor=officer, site=site, members=[{**member, "confirm_not_duplicate": True}]
        )
    register_household(
        actor=officer, site=site, members=[{"given_name": "Joseph", "family_name": "Lado"}]
    )

    found = {p.full_name for p in person_list(user=officer, filters={"q": typed})}

    assert found == {f"{registered} Lual", f"Achol {registered}", f"Mary Akech {registered}"}


def test_a_misspelled_given_and_family_name_together_find_the_person(officer, site) -> None:
    register_household(
        actor=officer, site=site, members=[{"given_name": "Rebecca", "family_name": "Gatkuoth"}]
    )
    register_household(
        actor=officer,
        site=site,
        members=[{"given_name": "Rebecca", "family_name": "Lado", "confirm_not_duplicate": True}],
    )

    found = [p.full_name for p in person_list(user=officer, filters={"q": "Rebeca Gatkouth"})]

    assert found == ["Rebecca Gatkuoth"]


def test_a_name_that_reads_like_a_code_is_searched_as_a_name(officer, site) -> None:
    # "Hamad Lado" has a code's shape once typos are mended (H-AMAD-1AD0): it is a name too.
    register_household(
        actor=officer, site=site, members=[{"given_name": "Hamad", "family_name": "Lado"}]
    )
    register_household(
        actor=officer, site=site, members=[{"given_name": "Joseph", "family_name": "Deng"}]
    )

    found = [p.full_name for p in person_list(user=officer, filters={"q": "hAmad Lado"})]

    assert found == ["Hamad Lado"]


def test_a_typed_code_finds_the_person_or_the_whole_household(officer, site) -> None:
    registration = register_household(
        actor=officer,
        site=site,
        members=[
            {"given_name": "Achol", "family_name": "Deng", "relationship_to_head": "head"},
            {"given_name": "Mary", "family_name": "Deng", "relationship_to_head": "child"},
        ],
    )
    household = registration.household
    register_household(
        actor=officer, site=site, members=[{"given_name": "Joseph", "family_name": "Lado"}]
    )
    mary = next(m for m in registration.members if m.given_name == "Mary")
    # Lower case, spaces for hyphens, O for 0: the way a code is read out and typed.
    typed = mary.registration_number.lower().replace("-", " ").replace("0", "o")

    by_person = [p.full_name for p in person_list(user=officer, filters={"q": typed})]
    by_household = {p.full_name for p in person_list(user=officer, filters={"q": household.code})}

    assert by_person == ["Mary Deng"]
    assert by_household == {"Achol Deng", "Mary Deng"}
