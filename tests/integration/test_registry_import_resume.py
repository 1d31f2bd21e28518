"""A bulk import survives its worker: killed mid-import, it resumes and imports no row twice.

A real worker imports a file batch by batch. The test takes the audit chain's lock once some
batches are in, so that the worker is caught inside a batch (waiting for that lock), and kills
it there with SIGKILL: that batch is lost with its transaction. A new worker, on connecting,
queues the imports that no worker holds (protection/celery.py), and the import goes on from the
rows still marked accepted.
"""

import signal
from typing import Any

import pytest

from cases.models import DisplacedPerson, ImportRow, ImportRowStatus, ImportStatus, RegistryImport
from cases.registry.imports import services
from cases.registry.imports.dry_run import registry_import_dry_run
from protection.audit_chain import AUDIT_CHAIN
from protection.models import AuditEvent
from tests.celery_worker import running_worker, wait_for
from tests.chain_locks import chain_lock_held, session_gone, session_waiting_for
from tests.imports.files import csv_bytes, many_rows

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

HOUSEHOLDS = 500


def _imported(job: RegistryImport) -> int:
    return RegistryImport.objects.get(pk=job.pk).rows_imported


def test_an_import_resumes_after_its_worker_is_killed_and_imports_no_row_twice(
    transactional_db: None, broker: str, officer: Any, site: Any
) -> None:
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="transit-centre.csv",
        data=csv_bytes(many_rows(HOUSEHOLDS)),
        batch_size=20,
    )
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    assert registry_import_dry_run(import_id=job.pk)
    job.refresh_from_db()
    # Made-up names still sound alike now and then: those rows are held, the rest go in.
    rows = job.rows.filter(status=ImportRowStatus.ACCEPTED).count()
    assert rows > 0.9 * 2 * HOUSEHOLDS

    with running_worker(broker_url=broker, name="import-first") as worker:
        services.registry_import_commit_start(actor=officer, registry_import=job)
        wait_for(lambda: _imported(job) >= 60, timeout=60)
        with chain_lock_held(AUDIT_CHAIN):
            stuck = wait_for(lambda: session_waiting_for(AUDIT_CHAIN), timeout=30)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        # The dead worker's session ends once it is given the lock and cannot answer.
        wait_for(lambda: session_gone(stuck), timeout=30)

    halfway = _imported(job)
    assert 0 < halfway < rows
    assert RegistryImport.objects.get(pk=job.pk).status == ImportStatus.IMPORTING

    with running_worker(broker_url=broker, name="import-second"):
        wait_for(
            lambda: RegistryImport.objects.get(pk=job.pk).status == ImportStatus.DONE,
            timeout=120,
        )

    job.refresh_from_db()
    assert job.rows_imported == rows
    assert DisplacedPerson.objects.count() == rows
    imported = ImportRow.objects.filter(registry_import=job, status=ImportRowStatus.IMPORTED)
    assert imported.count() == rows
    assert imported.values("person").distinct().count() == rows
    assert AuditEvent.objects.filter(action="person.register").count() == rows
    names = DisplacedPerson.objects.values_list("given_name", "family_name")
    assert len(set(names)) == rows
