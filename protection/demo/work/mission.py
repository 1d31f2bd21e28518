"""What the demo's history is built on: the mission protection.demo.seed made, and a settable clock.

The services stamp each write with the present. To give the mission eight weeks of past, each
step runs with Django's clock set to the moment it would have happened (`clock`), so that
deadlines fall due, and audit trails and timelines read as they would after weeks of work.
"""

import contextlib
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

from django.utils import timezone

from camps.models import Site
from partners.models import PartnerAgency
from protection.accounts.models import User

SEED = 20250602


@dataclass(frozen=True)
class Mission:
    """What protection.demo.seed built, by its plan keys ("mission", "un", "ngo"; site codes)."""

    agencies: dict[str, PartnerAgency]
    users: dict[tuple[str, str], User]
    sites: dict[str, Site]
    superuser: User
    now: datetime.datetime

    def user(self, agency: str, role: str) -> User:
        return self.users[(agency, role)]

    def key_of(self, agency_id: int) -> str:
        return next(key for key, agency in self.agencies.items() if agency.pk == agency_id)

    @property
    def today(self) -> datetime.date:
        return timezone.localtime(self.now).date()


@contextlib.contextmanager
def clock(moment: datetime.datetime) -> Iterator[None]:
    """Let the services read `moment` as the present while the block runs."""
    with mock.patch.object(timezone, "now", return_value=moment):
        yield


def moment(mission: Mission, day: datetime.date, minutes: int) -> datetime.datetime:
    """Return `minutes` after 08:00 on `day`, never later than a minute ago."""
    start = datetime.datetime.combine(
        day, datetime.time(8, 0), tzinfo=timezone.get_current_timezone()
    )
    return min(
        start + datetime.timedelta(minutes=minutes), mission.now - datetime.timedelta(minutes=1)
    )
