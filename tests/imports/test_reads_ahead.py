"""The dry run reads the registry on a second connection while it scores and writes.

Outside a transaction (a worker's task) the blocking statements run in a thread of their own,
on a connection of their own; inside one (a caller's atomic block) they run in turn on the
caller's connection (so does a read the thread has not started when the dry run needs it).
Both give every row the same fate, and the second connection is closed
when the dry run ends, however it ends.
"""

import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from cases.models import ImportStatus, RegistryImport
from cases.registry.imports import dry_run, services
from cases.registry.imports.ahead import reads_ahead, results
from cases.registry.imports.dry_run import registry_import_dry_run
from tests.factories import register_household
from tests.imports.files import bad_and_duplicate_rows, csv_bytes, good_rows, many_rows


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _others_connected(mine: int) -> int:
    """Return how many other sessions are connected to this test database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> %s",
            [mine],
        )
        return int(cursor.fetchone()[0])


def _closed_behind(mine: int) -> bool:
    """Whether every other session has gone (a closed backend leaves within moments)."""
    deadline = time.monotonic() + 5
    while _others_connected(mine) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _others_connected(mine) == 0


def _upload(officer: Any, site: Any) -> RegistryImport:
    rows = good_rows() + bad_and_duplicate_rows() + many_rows(6)
    twin = list(good_rows()[2])
    twin[0], twin[2] = "E5", "Josef"  # a duplicate within the file
    return services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="arrivals.csv",
        data=csv_bytes([*rows, twin]),
        batch_size=4,
    )


def _fates(job: RegistryImport) -> dict[int, tuple[str, Any, Any]]:
    return {
        row.row_number: (row.status, row.errors, row.duplicates)
        for row in job.rows.order_by("row_number")
    }


def _spy_reads(monkeypatch: Any) -> list[tuple[str, int]]:
    """Record the thread and the database session each blocking statement ran on."""
    seen: list[tuple[str, int]] = []
    real = dry_run.fetch_blocks

    def fetch_blocks(*args: Any) -> Any:
        seen.append((threading.current_thread().name, _backend()))
        return real(*args)

    monkeypatch.setattr(dry_run, "fetch_blocks", fetch_blocks)
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_registry_is_read_ahead_on_a_second_connection_with_the_same_fates(
    officer: Any, site: Any, monkeypatch: Any
) -> None:
    register_household(actor=officer, site=site)  # the person a row of the file repeats
    seen = _spy_reads(monkeypatch)
    mine = _backend()
    ahead = _upload(officer, site)
    services.registry_import_dry_run_start(actor=officer, registry_import=ahead)
    assert registry_import_dry_run(import_id=ahead.pk)
    ahead.refresh_from_db()

    assert ahead.status == ImportStatus.VALIDATED
    assert len(seen) >= 3  # one statement a batch of four rows
    # The reads start on one second session; one not started when its batch comes up may run
    # on this one instead.
    ahead_sessions = {pid for name, pid in seen if name != threading.current_thread().name}
    assert len(ahead_sessions) == 1 and mine not in ahead_sessions
    assert {pid for _name, pid in seen} <= {mine, *ahead_sessions}
    assert _closed_behind(mine)

    seen.clear()
    in_turn = _upload(officer, site)
    with transaction.atomic():
        services.registry_import_dry_run_start(actor=officer, registry_import=in_turn)
        assert registry_import_dry_run(import_id=in_turn.pk)
    in_turn.refresh_from_db()
    assert {pid for _name, pid in seen} == {mine}
    fates = _fates(ahead)
    assert fates == _fates(in_turn)
    statuses = [status for status, _errors, _found in fates.values()]
    assert {"accepted", "refused", "duplicate"} <= set(statuses)


@pytest.mark.django_db(transaction=True)
def test_a_failed_read_fails_the_attempt_and_closes_the_second_connection(
    officer: Any, site: Any, monkeypatch: Any
) -> None:
    def broken(*_args: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(dry_run, "fetch_blocks", broken)
    mine = _backend()
    job = _upload(officer, site)
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    with pytest.raises(RuntimeError, match="went away"):
        registry_import_dry_run(import_id=job.pk)
    job.refresh_from_db()
    # The attempt is counted and the import waits in its step for the task's retry.
    assert job.status == ImportStatus.VALIDATING and job.attempts == 1
    assert job.rows_checked == 0
    assert _closed_behind(mine)


@pytest.mark.django_db(transaction=True)
def test_a_read_not_yet_started_is_taken_up_rather_than_waited_for() -> None:
    """The second connection is busy with the first read; the caller runs the second itself
    (which is what lets the first finish here), then has the first's result."""
    first_started, second_done = threading.Event(), threading.Event()
    ran_on: dict[str, str] = {}

    def first() -> str:
        ran_on["first"] = threading.current_thread().name
        first_started.set()
        return "first" if second_done.wait(timeout=5) else "waited for in vain"

    def second() -> str:
        ran_on["second"] = threading.current_thread().name
        second_done.set()
        return "second"

    with reads_ahead() as submit:
        reads = [submit(first), submit(second)]
        assert first_started.wait(timeout=5)
        assert results(reads) == ["first", "second"]
    assert ran_on["second"] == threading.current_thread().name
    assert ran_on["first"] != ran_on["second"]


@pytest.mark.django_db(transaction=True)
def test_another_agencys_registered_person_is_never_a_match_of_the_rows_read_ahead(
    officer: Any, site: Any, other_officer: Any, other_site: Any, monkeypatch: Any
) -> None:
    """The reads ahead run on the importing officer's scope, compiled once: the same person
    registered by another agency is not found, the one registered by the officer's is."""
    seen = _spy_reads(monkeypatch)
    theirs = register_household(actor=other_officer, site=other_site).members[0]
    job = _upload(officer, site)
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    assert registry_import_dry_run(import_id=job.pk)
    found = [m.get("person") for row in job.rows.all() for m in row.duplicates]
    assert theirs.pk not in found
    assert job.rows.get(row_number=6).status == "accepted"  # the factories' default person
    assert {name for name, _pid in seen} != {threading.current_thread().name}

    ours = register_household(actor=officer, site=site).members[0]
    again = _upload(officer, site)
    services.registry_import_dry_run_start(actor=officer, registry_import=again)
    assert registry_import_dry_run(import_id=again.pk)
    held = again.rows.get(row_number=6)
    assert held.status == "duplicate"
    assert [m["person"] for m in held.duplicates] == [ours.pk]
