"""Fixtures of the export and statistics tests: a small registry in two agencies' sites."""

import datetime
from typing import Any

import pytest

from protection.accounts.models import Role
from tests import factories
from tests.api.conftest import _fresh_throttles, api, client_for  # noqa: F401  # shared fixtures
from tests.factories import register_household

GIVEN = [
    "Amina",
    "Nyibol",
    "Grace",
    "Achol",
    "Rebecca",
    "Sarah",
    "Deng",
    "Peter",
    "Lual",
    "Makuei",
    "Ayen",
    "Garang",
    "Nyandeng",
    "Kuol",
    "Abuk",
    "Chol",
    "Adut",
    "Majok",
    "Athieng",
    "Bol",
    "Akech",
    "Mabior",
]
FAMILY = ["Mohammed", "Okello", "Wani", "Lado", "Tombe", "Jada", "Lomo"]


def register_people(
    actor: Any, site: Any, *, women: int = 0, men: int = 0, needs: list[str] | None = None
) -> Any:
    """Register one household of adult women and men (born 1990) at the site."""
    members: list[dict[str, Any]] = []
    for index in range(women + men):
        member: dict[str, Any] = {
            "sex": "female" if index < women else "male",
            "given_name": GIVEN[index % len(GIVEN)],
            "family_name": FAMILY[index // len(GIVEN) % len(FAMILY)] + FAMILY[index % 7],
            "relationship_to_head": "head" if index == 0 else "other_relative",
            "date_of_birth": datetime.date(1976 + index % 20, 1 + index % 12, 3),
            "confirm_not_duplicate": True,
        }
        if needs:
            member["specific_needs"] = needs
        members.append(member)
    return register_household(actor=actor, site=site, members=members)


@pytest.fixture
def registry(officer: Any, site: Any, other_officer: Any, other_site: Any) -> dict[str, Any]:
    """8 women and 3 men at the agency's site; 20 women at another agency's site."""
    ours = register_people(officer, site, women=8, men=3)
    theirs = register_people(other_officer, other_site, women=20)
    return {"ours": ours, "theirs": theirs}


@pytest.fixture
def supervisor(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role=Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def analyst(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role=Role.ANALYST, username="analyst")
