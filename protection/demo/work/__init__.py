"""The demo mission at work: a referral directory, agreements, alert policies, cases, incidents.

protection.demo.seed builds the mission and registers its people; this package gives them eight
weeks of history, so that every feature has something to show: the referral directory and the
data-sharing agreements (directory), about forty cases at every stage of the workflow
(casework), about thirty incidents with their alerts and an early warning (incidents), and a
finished drill with its report (drills).

Everything goes through the services, as the member of staff who would do it, at the moment it
would have happened (mission.clock). Each part is skipped when its rows exist, so that a second
run adds nothing.
"""

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

from django.db import transaction
from django.utils import timezone

from camps.models import Site
from cases.models import ProtectionCase
from incidents.early_warning.services import early_warning_scan
from incidents.models import Drill, Incident
from partners.models import PartnerAgency
from protection.accounts.models import User
from protection.celery import app as celery_app
from protection.demo.work.casework import casework_seed
from protection.demo.work.directory import directory_seed
from protection.demo.work.drills import drills_seed
from protection.demo.work.identity import identity_seed
from protection.demo.work.incidents import alerts_to_inboxes, incidents_seed
from protection.demo.work.mission import Mission
from protection.demo.work.zones import zones_seed
from protection.notifications.services import outbox

logger = logging.getLogger(__name__)


@dataclass
class WorkResult:
    """What one run added to the mission's work (all zero when everything was in place)."""

    services: int = 0
    agreements: int = 0
    policies: int = 0
    cases: int = 0
    referrals: int = 0
    incidents: int = 0
    alerts: int = 0
    drills: int = 0
    safe_zones: int = 0
    corridors: int = 0
    identifiers: int = 0
    broker_unreachable: bool = False

    @property
    def added(self) -> bool:
        return any(
            (
                self.services,
                self.agreements,
                self.policies,
                self.cases,
                self.incidents,
                self.drills,
                self.corridors,
                self.identifiers,
            )
        )


def _broker_reachable() -> bool:
    """Return whether the Celery broker answers now (the file-system broker always does)."""
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, interval_start=0, timeout=2)
    except Exception:
        return False
    return True


@contextlib.contextmanager
def _deliveries_left_to_sweeper(broker_up: bool) -> Iterator[None]:
    """Without a broker, do not publish the deliveries of each alert when it commits.

    Each attempt would take most of a second and log a warning, for every alert; the rows are
    safe in the database either way, and the worker's sweeper sends them once it runs.
    """
    if broker_up:
        yield
        return
    logger.info("Celery broker unreachable: the demo's deliveries are left to the sweeper.")
    with mock.patch.object(outbox, "enqueue_deliveries", return_value=0):
        yield


def seed_work(
    *,
    agencies: dict[str, PartnerAgency],
    users: dict[tuple[str, str], User],
    sites: dict[str, Site],
    superuser: User,
) -> WorkResult:
    """Give the demo mission its services, agreements, policies, cases and incidents.

    Each part is skipped when it exists already: services per agency, agreements per pair of
    agencies, policies by name; the cases when the agencies have any, the incidents likewise.
    """
    mission = Mission(agencies, users, sites, superuser, timezone.now())
    result = WorkResult()
    with transaction.atomic():
        result.services, result.agreements, result.policies = directory_seed(mission)
    if not ProtectionCase.objects.filter(owning_agency__in=agencies.values()).exists():
        with transaction.atomic():
            result.cases, result.referrals = casework_seed(mission)
    with transaction.atomic():
        result.safe_zones, result.corridors = zones_seed(mission)
    with transaction.atomic():
        result.identifiers = identity_seed(mission)
    if not Incident.objects.filter(reporting_agency__in=agencies.values()).exists():
        broker_up = _broker_reachable()
        result.broker_unreachable = not broker_up
        with _deliveries_left_to_sweeper(broker_up):
            with transaction.atomic():
                result.incidents, result.alerts = incidents_seed(mission)
            # After the incidents, at the real present: the scan that beat runs every hour.
            with transaction.atomic():
                warnings = early_warning_scan(now=timezone.now())
                alerts_to_inboxes(warnings)
        result.alerts += len(warnings)
    if not Drill.objects.filter(agency__in=agencies.values()).exists():
        with _deliveries_left_to_sweeper(_broker_reachable()), transaction.atomic():
            result.drills = drills_seed(mission)
    return result
