"""Read replicas for real: a primary and a streaming hot standby of it (tests/replica_cluster.py).

The app is pointed at the two for the test: list reads go to the replica, writes to the
primary, and a client that has just written reads from the primary (read-your-writes) while
the replica lags behind (its replay paused), as another client's list shows.
"""

import copy
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from protection.reference_data import load_reference_data
from protection.replicas import REPLICA_COOKIE
from tests import factories
from tests.replica_cluster import Cluster, postgres_bin, primary_and_replica

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(postgres_bin() is None, reason="needs the PostgreSQL server binaries"),
]

PERSONS = "/api/v1/persons/"


@pytest.fixture
def cluster(django_db_setup: None, django_db_blocker: Any) -> Iterator[Cluster]:
    """A primary holding a copy of the migrated test database, and its replica; the app's
    default database points at the primary and "replica1" at the replica meanwhile."""
    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
    with primary_and_replica() as cluster:
        dump = cluster.run(
            "pg_dump", "-h", "127.0.0.1", "-p", str(connection.settings_dict["PORT"] or 5432),
            "-U", "postgres", "--no-owner", "--no-privileges", test_database,
        )  # fmt: skip
        cluster.psql(cluster.primary_port, "CREATE DATABASE protection")
        cluster.run(
            "psql", "-h", "127.0.0.1", "-p", str(cluster.primary_port), "-U", "postgres",
            "-d", "protection", "-q", "-v", "ON_ERROR_STOP=1", stdin=dump,
        )  # fmt: skip
        default = connections["default"]
        saved = copy.deepcopy(default.settings_dict)
        with django_db_blocker.unblock():
            default.close()
            default.settings_dict.update(HOST="127.0.0.1", PORT=cluster.primary_port)
            default.settings_dict["NAME"] = "protection"
            replica = copy.deepcopy(default.settings_dict) | {"PORT": cluster.replica_port}
            connections.settings["replica1"] = replica
            try:
                # An earlier transactional test may have flushed the lists from the copy.
                load_reference_data()
                yield cluster
            finally:
                connections["replica1"].close()
                del connections["replica1"]
                del connections.settings["replica1"]
                default.close()
                default.settings_dict.clear()
                default.settings_dict.update(saved)


def _replica_people() -> int:
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_displacedperson")
        return int(cursor.fetchone()[0])


def _wait_for_replica(people: int) -> None:
    deadline = time.monotonic() + 30
    while _replica_people() != people:
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.1)


def _wait_for_replay(cluster: Any) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    target = cluster.psql(cluster.primary_port, "SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + 30
    check = f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"
    while cluster.psql(cluster.replica_port, check) != "t":
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.1)


def _listed(client: Client) -> tuple[dict[str, str], int, int]:
    """GET the persons API list; return {registration number: status} and the queries each
    database answered for it."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica1"]) as replica,
    ):
        response = client.get(PERSONS)
    assert response.status_code == 200, response.content
    statuses = {row["registration_number"]: row["status"] for row in response.json()["results"]}
    return statuses, len(primary), len(replica)


def test_lists_read_from_the_replica_writes_and_a_writers_next_reads_from_the_primary(
    cluster: Cluster,
) -> None:
    with connections["replica1"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True  # a real standby: it would refuse any write
    agency: Any = factories.AgencyFactory(name="Mission Protection Unit", acronym="MPU")
    site: Any = factories.SiteFactory(managing_agency=agency, code="KAK-01")
    officer: Any = factories.UserFactory(
        agency=agency, role="protection_officer", username="officer"
    )
    first = factories.register_household(actor=officer, site=site).members[0]
    _wait_for_replica(1)

    # The replica stops replaying: whatever the primary writes now, it does not show.
    cluster.psql(cluster.replica_port, "SELECT pg_wal_replay_pause()")
    second = factories.register_household(
        actor=officer,
        site=site,
        members=[{"given_name": "Nyok", "family_name": "Gatkuoth", "confirm_not_duplicate": True}],
    ).members[0]

    writer, reader = Client(), Client()
    writer.force_login(officer)
    reader.force_login(officer)
    listed, on_primary, on_replica = _listed(reader)
    assert list(listed) == [first.registration_number]  # the lagging replica answered
    assert on_replica > 0

    with CaptureQueriesContext(connections["replica1"]) as replica:
        response = writer.post(
            f"{PERSONS}{first.pk}/status/",
            {"status": "departed", "reason": "Moved to the town"},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert len(replica) == 0  # the write and its reads went to the primary
    assert REPLICA_COOKIE in response.cookies

    listed, on_primary, on_replica = _listed(writer)
    assert listed == {
        second.registration_number: "active",
        first.registration_number: "departed",
    }  # read-your-writes: the primary answered the writer
    assert on_replica == 0 and on_primary > 0

    listed, _on_primary, on_replica = _listed(reader)
    assert listed == {first.registration_number: "active"} and on_replica > 0

    cluster.psql(cluster.replica_port, "SELECT pg_wal_replay_resume()")
    _wait_for_replay(cluster)
    listed, _on_primary, _on_replica = _listed(reader)
    assert listed[first.registration_number] == "departed"
    assert set(listed) == {first.registration_number, second.registration_number}
