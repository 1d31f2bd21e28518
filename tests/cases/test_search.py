"""Name search gives the same people, newest first, whichever plan narrow_search picks."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import DisplacedPerson
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


# (id cap, matches among the newest that make a name common, the newest ids probed): the walk
# chosen by the probe's count, by the probe's estimate of the whole registry, by the capped
# fetch, and the fetched ids.
@pytest.mark.parametrize(
    ("cap", "enough", "window"),
    [(100, 2, 20_000), (2, 100, 2), (2, 100, 20_000), (100, 100, 20_000)],
)
def test_search_result_is_the_same_whichever_plan_is_picked(
    officer, site, monkeypatch, cap, enough, window
) -> None:
    _register_namesakes(officer, site, 5)
    register_household(
        actor=officer,
        site=site,
        members=[{"given_name": "Joseph", "family_name": "Lado", "sex": "male"}],
    )
    monkeypatch.setattr(filters, "SEARCH_ID_CAP", cap)
    monkeypatch.setattr(filters, "PROBE_ENOUGH", enough)
    monkeypatch.setattr(filters, "PROBE_WINDOW", window)

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


def test_arabic_names_with_an_ayn_are_searched_as_whole_words(officer, site) -> None:
    # unidecode writes the ʿayn as a backtick: read as a space it cut "سعيد" into "s yd", which
    # also matched any name holding an "s" and a "yd".
    registration = register_household(
        actor=officer,
        site=site,
        members=[{"given_name": "إسماعيل", "family_name": "سعيد", "sex": "male"}],
    )
    register_household(
        actor=officer,
        site=site,
        members=[{"given_name": "Lloyd", "family_name": "Moses", "confirm_not_duplicate": True}],
    )

    by_family = [p.pk for p in person_list(user=officer, filters={"q": "سعيد"})]
    by_both = [p.pk for p in person_list(user=officer, filters={"q": "اسماعيل سعيد"})]

    ismail = registration.members[0]
    assert ismail.name_search == "smyl syd"
    assert by_family == [ismail.pk]
    assert by_both == [ismail.pk]


def test_a_word_under_three_letters_matches_the_start_of_a_name_word(officer, site) -> None:
    for given in ("Ali", "Khalil", "Mary"):
        register_household(
            actor=officer,
            site=site,
            members=[{"given_name": given, "family_name": "Deng", "confirm_not_duplicate": True}],
        )
    register_household(
        actor=officer, site=site, members=[{"given_name": "Achol", "family_name": "Al Amin"}]
    )

    particle = {p.full_name for p in person_list(user=officer, filters={"q": "Al"})}
    initial = [p.full_name for p in person_list(user=officer, filters={"q": "M Deng"})]

    assert particle == {"Ali Deng", "Achol Al Amin"}
    assert initial == ["Mary Deng"]


def test_the_upgrade_rewrites_the_keys_stored_before_the_ayn_was_read(officer, site) -> None:
    upgrade = importlib.import_module("cases.migrations.0019_search_ayn_marks")
    marked = register_household(
        actor=officer, site=site, members=[{"given_name": "جمعة", "family_name": "إسماعيل"}]
    ).members[0]
    latin = register_household(
        actor=officer, site=site, members=[{"given_name": "Joseph", "family_name": "Lado"}]
    ).members[0]
    # The keys as the release before wrote them: the marks read as spaces.
    DisplacedPerson.objects.filter(pk=marked.pk).update(name_search="jm sm yl", name_keys="")
    DisplacedPerson.objects.filter(pk=latin.pk).update(name_keys=" UNTOUCHED ")

    with connection.schema_editor() as editor:
        upgrade.recompute(django_apps, editor)

    marked.refresh_from_db()
    latin.refresh_from_db()
    assert (marked.name_search, marked.name_keys) == ("jma smyl", " JN SNYL ")
    assert latin.name_keys == " UNTOUCHED "
    assert [p.pk for p in person_list(user=officer, filters={"q": "إسماعيل"})] == [marked.pk]


def test_the_name_matched_first_keeps_the_scope_and_the_lists_other_filters(
    officer, site, other_officer, other_site
) -> None:
    """The capped fetch matches the name alone first (filters._fenced), then the rest; the page
    is the scoped, filtered list whichever statement fetched its ids."""
    for actor, where in ((other_officer, other_site), (officer, site)):
        for sex in ("female", "male"):
            register_household(
                actor=actor,
                site=where,
                members=[{"family_name": "Muhammad", "sex": sex, "confirm_not_duplicate": True}],
            )
    mine = DisplacedPerson.objects.filter(owning_agency=officer.agency)
    # The list's other filters (one through a join, the status's code) apply to the ids fetched.
    filters_by_name = [
        ({"q": "Muhammad"}, mine),
        ({"q": "Muhammad", "sex": "male"}, mine.filter(sex="male")),
        ({"q": "Muhammad", "displacement_status": "IDP"}, mine),
        ({"q": "Muhammad", "displacement_status": "REF"}, mine.none()),
    ]
    for chosen, expected in filters_by_name:
        with CaptureQueriesContext(connection) as queries:
            found = list(person_list(user=officer, filters=chosen))
        assert [p.pk for p in found] == list(expected.order_by("-pk").values_list("pk", flat=True))
        assert sum("OFFSET 0" in q["sql"] for q in queries.captured_queries) == 1
