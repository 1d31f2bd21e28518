"""The world the every-page walk visits: the demo mission, seeded once per module, served by a
server of the module's own.

pytest-django's `live_server` makes every test that uses it transactional, and so flushes the
database after each one: the demo would be seeded again for each role and language. Here the
demo is seeded and committed once, a `LiveServer` of pytest-django's is started beside it, and
the database is flushed (as a transactional test leaves it) when the module is done.

`record_ids(user)` names, for one user, a record of each kind that the user may open, found
through the access policy, so that each route with an id is visited with a real one.
"""

import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from cases.models import CaseAction, RegistryImport
from incidents.community.services import ConcernData, community_report_receive
from incidents.models import CommunityReport, Corridor, Drill, EscalationPolicy, SafeZone
from incidents.policies.services import TierSpec, escalation_policy_create
from protection import access
from protection.accounts.models import User
from protection.demo.plan import SUPERADMIN_USERNAME
from protection.models import DataExport
from protection.notifications.models import Notification
from protection.reference_data import load_reference_data
from tests.imports.files import uploaded_import
from tests.matrix_world import ready_export

T = TypeVar("T")

# Enough households for every kind of record the demo makes (cases, referrals, incidents).
HOUSEHOLDS = 16
AGENCY = "unmuk"
# The roles walked: the platform superuser, then each role of one agency (demo usernames).
ROLES = {
    "superuser": SUPERADMIN_USERNAME,
    "admin": f"{AGENCY}.admin",
    "supervisor": f"{AGENCY}.supervisor",
    "protection_officer": f"{AGENCY}.officer",
    "case_worker": f"{AGENCY}.caseworker",
    "partner_api": f"{AGENCY}.api",
    "analyst": f"{AGENCY}.analyst",
}


@dataclass
class WalkWorld:
    """The server's address and the demo's users by role."""

    url: str
    users: dict[str, User]


def _first(queryset: Any) -> int | None:
    return queryset.order_by("pk").values_list("pk", flat=True).first()


def record_ids(user: User) -> dict[str, int | None]:
    """Return, by kind, the id of a record the user may open (None when there is none)."""
    case_id = _first(access.cases_for(user))
    own_services = access.services_for(user).filter(agency_id=user.agency_id)
    return {
        "site": _first(access.sites_for(user)),
        "person": _first(access.people_for(user)),
        "household": _first(access.households_for(user)),
        "case": case_id,
        "case_action": _first(CaseAction.objects.filter(case_id=case_id)),
        "referral_sent": _first(access.referrals_sent_for(user)),
        "referral_received": _first(access.referrals_received_for(user)),
        "incident": _first(access.incidents_for(user)),
        "alert": _first(access.alerts_for(user)),
        "community_report": (
            _first(CommunityReport.objects.filter(site__in=access.sites_for(user).values("pk")))
            if access.can(user, access.Action.REPORT_INCIDENTS)
            else None
        ),
        "drill": (
            _first(Drill.objects.filter(agency_id=user.agency_id))
            if access.can(user, access.Action.MANAGE_INCIDENTS)
            else None
        ),
        "notification": _first(Notification.objects.filter(recipient=user)),
        "safe_zone": _first(SafeZone.objects.filter(site__in=access.sites_for(user).values("pk"))),
        "corridor": _first(Corridor.objects.filter(site__in=access.sites_for(user).values("pk"))),
        "service": _first(own_services),
        "registry_import": _first(RegistryImport.objects.filter(agency_id=user.agency_id)),
        "data_export": _first(DataExport.objects.filter(user=user)),
    }


def _seed() -> dict[str, User]:
    load_reference_data()  # a transactional test before this one flushed them
    call_command("seed_demo", households=HOUSEHOLDS, force=True, stdout=io.StringIO())
    users = {role: User.objects.get(username=name) for role, name in ROLES.items()}
    officer, admin = users["protection_officer"], users["admin"]
    # What the demo leaves out: an import, an export of each user's, and a policy the
    # agency keeps (so that its administrator has one to open).
    uploaded_import(officer=officer, site=access.sites_for(officer).order_by("pk")[0])
    community_report_receive(
        data=ConcernData(
            site=access.sites_for(officer).order_by("pk")[0],
            kind="armed_presence",
            description="Armed men near the water point at night.",
            occurred_on=timezone.localdate(),
            language="en",
        )
    )
    for user in users.values():
        ready_export(user)
    assert admin.agency is not None
    if not EscalationPolicy.objects.filter(agency=admin.agency).exists():
        escalation_policy_create(
            actor=admin,
            name="Our sites at night",
            sites=list(access.sites_for(admin).filter(managing_agency=admin.agency)[:1]),
            tiers=[TierSpec(roles=[(admin.agency, "supervisor")])],
        )
    return users


@pytest.fixture(scope="module")
def walk_world(django_db_setup: None, django_db_blocker: Any) -> Iterator[WalkWorld]:
    """Seed the demo, serve it, and flush it all at the end of the module."""
    with django_db_blocker.unblock():
        users = _in_thread(_seed)
    server = LiveServer("localhost")
    server._live_server_modified_settings.enable()  # the server's host is allowed
    try:
        yield WalkWorld(url=server.url, users=users)
    finally:
        server._live_server_modified_settings.disable()
        server.stop()
        with django_db_blocker.unblock():
            _in_thread(_flush)


def _in_thread(work: Callable[[], T]) -> T:
    """Run database work in a thread of its own, whose connection is closed when it ends.

    Playwright's sync API runs the tests in greenlets, each with its own connection that
    nothing closes, and an open connection keeps the test database from being dropped.
    """
    result: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(work())
        except BaseException as error:  # handed to the caller below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0]


def _flush() -> None:
    """Leave the database as the session's set-up made it: reference lists only."""
    call_command("flush", interactive=False, verbosity=0)
    load_reference_data()
    _close_server_connections()


def _close_server_connections() -> None:
    """Close what the server's request threads left open (a browser's kept-alive connection
    outlives the server's stop), so that the test database can be dropped at the end."""
    others = (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with connection.cursor() as cursor:
        for _attempt in range(50):
            cursor.execute(others)
            if not cursor.fetchall():
                return
            time.sleep(0.1)
