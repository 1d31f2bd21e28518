"""A site's population: what the camp pages show and the daily snapshot keeps.

Camps sits below the registry (a household lives at a site), so it never queries people
itself. The registry supplies a `Census` (cases.registry.population) from its
AppConfig.ready(); camps asks it for a site's counts, as the access policy asks each app for
its records.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from camps.models import Site

# (key, label, youngest age, oldest age); None means no upper bound.
AGE_GROUPS: list[tuple[str, Any, int, int | None]] = [
    ("0_4", _("0-4"), 0, 4),
    ("5_11", _("5-11"), 5, 11),
    ("12_17", _("12-17"), 12, 17),
    ("18_59", _("18-59"), 18, 59),
    ("60_plus", _("60+"), 60, None),
]


@dataclass
class Population:
    """A site's registered population by sex and age group, against its capacity."""

    capacity: int
    individuals: int = 0
    households: int = 0
    breakdown: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def over_capacity(self) -> bool:
        return self.individuals > self.capacity

    @property
    def occupancy_percent(self) -> int:
        return round(100 * self.individuals / self.capacity) if self.capacity else 0

    def rows(self) -> list[dict[str, Any]]:
        """Return one row per age group, with a count per sex and a total, for display."""
        result = []
        for key, label, _youngest, _oldest in AGE_GROUPS:
            counts = self.breakdown.get(key, {})
            result.append({"key": key, "label": label, **counts, "total": sum(counts.values())})
        return result


class Census(Protocol):
    """What the registry tells camps about the people at a site."""

    def population(self, *, site: Site, today: datetime.date) -> Population:
        """The site's active population by sex and age group (households: the caller's)."""
        ...

    def headcount(self, *, site_id: int) -> tuple[int, int]:
        """Count the site's active people and the households with any, from scratch."""
        ...

    def birth_months(self, *, site_id: int) -> dict[tuple[str, datetime.date], int]:
        """Count the site's active people by (sex, first day of the month of birth), from
        scratch; leave out the empty ones."""
        ...

    def recent_registrations(
        self, *, user: Any, site_pk: int, rows: int
    ) -> tuple[list[Any], list[Any]]:
        """The site's latest households and people the user may see (their reads logged)."""
        ...


_census: list[Census] = []


def register_census(census: Census) -> None:
    """Install the registry's census (cases.registry calls it once, from ready())."""
    _census[:] = [census]


def census() -> Census:
    """Return the installed census."""
    if not _census:
        raise ImproperlyConfigured("No installed app supplies the census of sites (cases).")
    return _census[0]
