"""A dry run walks only the letter variants somebody holds beside the other name's key.

A name's letters one slip away are a hundred to three hundred variants, each one descent of an
index; the dry run asks once, for the whole file, which letters are held beside each key and
walks only those. The person a slip hides from the phonetic keys is still found.
"""

import datetime
import random
from typing import Any

import pytest
from django.utils import timezone

from cases.models import ImportRowStatus
from cases.registry import blocking
from cases.registry.duplicates import letters_key
from cases.registry.imports import services
from cases.registry.imports.dedupe import held_letters
from cases.registry.slips import held_within_one_slip, letters_within_one_slip
from tests.factories import register_household
from tests.imports.files import csv_bytes
from tests.imports.test_services import run_dry_run

BORN = datetime.date(1991, 6, 1)


def _deng(given: str, days: int, sex: str = "female") -> dict[str, Any]:
    return {
        "given_name": given,
        "family_name": "Deng",
        "sex": sex,
        "date_of_birth": BORN + datetime.timedelta(days=days),
    }


def _row(given: str, family: str, born: datetime.date) -> list[str]:
    consent = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    return [
        *("S1", "head", given, family, "female", born.isoformat()),
        *("IDP", "SSD", consent, "person", ""),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_slip_that_changes_the_given_names_key_is_found_through_the_letters_held(
    officer: Any, site: Any, monkeypatch: Any
) -> None:
    """ "Halima Deng" typed "Kalima Deng" (HLM becomes KLM): among namesakes of the family
    born nearer, only the walk of the letters one slip away ("ahilm") reaches her."""
    for name in ("ROWS_PER_SIDE", "SAME_NAMES_ROWS_PER_SIDE", "SAME_LETTERS_ROWS_PER_SIDE"):
        monkeypatch.setattr(blocking, name, 1)
    crowd = [_deng(given, days) for given, days in (("Achol", 1), ("Garang", -2), ("Nyandeng", 3))]
    members = [{**person, "relationship_to_head": "sibling"} for person in crowd]
    members[0]["relationship_to_head"] = "head"
    members.append({**_deng("Halima", 60), "relationship_to_head": "sibling"})
    halima = register_household(actor=officer, site=site, members=members).members[-1]
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="arrivals.csv",
        data=csv_bytes([_row("Kalima", "Deng", BORN)]),
    )

    job = run_dry_run(job, officer)

    [row] = job.rows.all()
    assert row.status == ImportRowStatus.DUPLICATE
    assert halima.registration_number in [m["registration_number"] for m in row.duplicates]


@pytest.mark.django_db
def test_the_letters_held_are_those_registered_beside_each_key(officer: Any, site: Any) -> None:
    register_household(
        actor=officer,
        site=site,
        members=[
            {**_deng("Halima", 0), "relationship_to_head": "head"},
            {**_deng("Achol", 5), "relationship_to_head": "sibling"},
            {
                "given_name": "Deng",
                "family_name": "Garang",
                "sex": "male",
                "date_of_birth": BORN,
                "relationship_to_head": "sibling",
            },
        ],
    )

    beside_family, beside_given = held_letters({"KLM", "TNK", "XXX"}, {"TNK", "KRNK", ""})

    assert beside_family == {"TNK": {"ahilm", "achlo"}, "KRNK": {"degn"}}
    assert beside_given == {"TNK": {"agnr"}}
    # Of "Kalima"'s variants, only the one somebody holds beside Deng's key is walked.
    assert held_within_one_slip(letters_key("Kalima"), beside_family["TNK"]) == ["ahilm"]


def test_the_variants_kept_are_the_slips_of_the_name_that_are_held() -> None:
    """The same variants, in the same order, as filtering letters_within_one_slip, whether
    few letters are held (compared one by one) or many (the variants filtered)."""
    rng = random.Random(7)
    alphabet = "abcdefghijklmnopqrstuvwxyz01"

    def key() -> str:
        return "".join(sorted({rng.choice(alphabet) for _ in range(rng.randint(0, 9))}))

    for _trial in range(3000):
        letters = key()
        variants = letters_within_one_slip(letters)
        near = rng.sample(variants, min(len(variants), rng.randint(0, 12)))
        for size in (rng.randint(0, 40), 200):
            held = {key() for _ in range(size)} | set(near)
            assert held_within_one_slip(letters, held) == [v for v in variants if v in held]
