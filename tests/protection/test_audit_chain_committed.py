"""The audit hash chain across real transactions: concurrent writers, the command, the backfill."""

import os
import subprocess
import sys
import threading
from pathlib import Path

import django.db
import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor

from protection.audit import access_log_record, audit_record
from protection.audit_chain import ACCESS_CHAIN, AUDIT_CHAIN, GENESIS
from protection.audit_verify import chain_verify
from protection.models import AccessLog, AuditEvent

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4
WRITES = 25


def test_concurrent_writers_build_one_unbroken_chain(officer, site) -> None:
    start = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            start.wait()
            for _index in range(WRITES):
                # One service transaction each: a change and a read logged inside it.
                with transaction.atomic():
                    audit_record(actor=officer, action="site.update", obj=site)
                    access_log_record(user=officer, objects=[site, officer])
                # And a read logged on its own, outside any transaction.
                access_log_record(user=officer, objects=[site])
        except BaseException as error:  # reported below, from the test's own thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    events = WRITERS * WRITES
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, events + 1)
    )
    assert AccessLog.objects.count() == events * 3
    for chain in (AUDIT_CHAIN, ACCESS_CHAIN):
        report = chain_verify(chain)
        assert report.breaks == []
        assert report.rows == report.head_seq == chain.model.objects.count()


def _audit_verify_process() -> subprocess.CompletedProcess[str]:
    """Run `manage.py audit_verify` as an operator would, against the test database."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "protection.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "audit_verify"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_command_exits_non_zero_and_names_the_altered_row(officer, site) -> None:
    events = [
        audit_record(actor=officer, action="site.update", obj=site, changes={"name": ["a", "b"]})
        for _index in range(3)
    ]
    clean = _audit_verify_process()
    assert clean.returncode == 0, clean.stderr
    assert "OK audit events: 3 rows checked (seq 1..3)" in clean.stdout

    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE protection_auditevent DISABLE TRIGGER protection_auditevent_append_only"
        )
        try:
            cursor.execute(
                "UPDATE protection_auditevent SET changes = '{}'::jsonb WHERE id = %s",
                [events[1].pk],
            )
        finally:
            cursor.execute(
                "ALTER TABLE protection_auditevent ENABLE TRIGGER protection_auditevent_append_only"
            )

    tampered = _audit_verify_process()
    assert tampered.returncode == 1
    assert (
        f"row id {events[1].pk} (seq 2): its content does not match its hash (row altered)"
        in tampered.stderr
    )


def _chain_migration(executor: MigrationExecutor) -> tuple[str, str]:
    """Return (name of the chain migration, the protection migration it follows)."""
    (name,) = [
        name
        for app, name in executor.loader.disk_migrations
        if app == "protection" and name.endswith("_audit_hash_chain")
    ]
    migration = executor.loader.disk_migrations[("protection", name)]
    (parent,) = [dep for app, dep in migration.dependencies if app == "protection"]
    return name, parent


def test_the_migration_chains_the_rows_already_there_and_keeps_them_append_only(
    officer,
) -> None:
    executor = MigrationExecutor(connection)
    _name, parent = _chain_migration(executor)
    executor.migrate([("protection", parent)])
    try:
        with connection.cursor() as cursor:
            for index in range(3):
                cursor.execute(
                    "INSERT INTO protection_auditevent (created_at, actor_id, agency_id, action, "
                    "object_type, object_id, object_repr, changes, channel, ip_address) "
                    "VALUES (now(), %s, %s, 'user.login', 'accounts.user', %s, '', "
                    "'{\"n\": [1.0, null]}', 'web', '10.0.0.1')",
                    [officer.pk, officer.agency_id, str(index)],
                )
            cursor.execute(
                "INSERT INTO protection_accesslog (created_at, user_id, agency_id, object_type, "
                "object_id, purpose, part, channel) "
                "VALUES (now(), %s, NULL, 'cases.displacedperson', '7', 'detail', '', 'api')",
                [officer.pk],
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    first = AuditEvent.objects.order_by("id").first()
    assert first is not None and (first.seq, first.prev_hash) == (1, GENESIS)
    for chain in (AUDIT_CHAIN, ACCESS_CHAIN):
        report = chain_verify(chain)
        assert report.breaks == []
        assert report.rows == chain.model.objects.count()
    assert AuditEvent.objects.count() == 3
    # New rows continue the backfilled chain.
    assert audit_record(actor=officer, action="user.login", obj=officer).seq == 4
    with pytest.raises(django.db.Error, match="append-only"), connection.cursor() as cursor:
        cursor.execute("UPDATE protection_auditevent SET action = 'x' WHERE id = %s", [first.pk])
