"""The persons API builds its JSON directly (cases.registry.api.output): the same as the serializer.

PersonSerializer remains the API's schema; the JSON a page answers must be exactly what it
would give, for people with and without the optional fields.
"""

import datetime
from typing import Any

import pytest

from cases.registry.api.output import person_json
from cases.registry.api.serializers import PersonSerializer
from cases.registry.selectors import person_list
from tests.factories import register_household

pytestmark = pytest.mark.django_db


def test_a_page_of_people_matches_the_serializer(officer: Any, site: Any, officer_api: Any) -> None:
    register_household(
        actor=officer,
        site=site,
        members=[
            {
                "given_name": "Nyabol",
                "family_name": "Deng",
                "relationship_to_head": "head",
                "date_of_birth": datetime.date(1984, 3, 1),
                "specific_needs": ["WR-WR"],
                "phone": "+211900000000",
                "documents": ["national_id"],
                "origin_location": "Malakal",
                "displaced_on": datetime.date(2020, 5, 2),
                "confirm_not_duplicate": True,
            },
            {
                "given_name": "Gatluak",
                "family_name": "Deng",
                "relationship_to_head": "child",
                "date_of_birth": None,
                "estimated_age": 11,
                "nationality": None,
                "confirm_not_duplicate": True,
            },
        ],
    )
    people = list(
        person_list(user=officer)
        .select_related("nationality", "origin_country")
        .prefetch_related("specific_needs")
    )
    assert len(people) == 2
    for person in people:
        expected = PersonSerializer(person).data
        assert person_json(person) == expected
        assert list(person_json(person)) == list(expected)
    # And what the page answers is that JSON.
    answer = officer_api.get("/api/v1/persons/").json()["results"]
    assert answer == [person_json(p) for p in people]
