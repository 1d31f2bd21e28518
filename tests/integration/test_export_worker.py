"""Background exports through a real Celery worker: the progress reaches 100 %, the file
downloads until its link expires and the sweep deletes it; and a worker killed mid-export
leaves the export to the next worker, which writes the whole file again from the start."""

import signal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from protection.accounts.models import Role
from protection.audit_chain import ACCESS_CHAIN
from protection.celery import app
from protection.models import AccessLog, DataExport, ExportStatus
from protection.tasks import EXPORTS_SWEEP
from tests import factories
from tests.celery_worker import running_worker, wait_for
from tests.chain_locks import chain_lock_held, session_gone, session_waiting_for
from tests.exports.conftest import register_people
from tests.pages.conftest import signed_in

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

NEW = reverse("exports:new")


def _status(export: DataExport) -> str:
    return DataExport.objects.get(pk=export.pk).status


def _start(client: Any) -> DataExport:
    response = client.post(
        f"{NEW}?dataset=people",
        {"file_format": "csv", "level": "individual", "purpose": "export_services"},
    )
    assert response.status_code == 302
    return DataExport.objects.get()


def _lines(response: Any) -> list[str]:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


@pytest.fixture
def supervisor(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role=Role.SUPERVISOR, username="supervisor")


@pytest.fixture
def registry(officer: Any, site: Any, other_officer: Any, other_site: Any) -> None:
    """11 people at the agency's site; 20 at another agency's, never in its exports."""
    register_people(officer, site, women=8, men=3)
    register_people(other_officer, other_site, women=20)


@pytest.fixture
def exporting(settings: Any, tmp_path: Path) -> Path:
    settings.EXPORT_STREAM_MAX_ROWS = 5  # the 11 people of the registry go to the worker
    settings.EXPORT_DIR = tmp_path
    return tmp_path


def test_a_worker_writes_the_export_the_file_downloads_and_its_link_expires(
    transactional_db: None, broker: str, supervisor: Any, registry: None, exporting: Path
) -> None:
    client = signed_in(supervisor)
    env = {"EXPORT_DIR": str(exporting), "EXPORT_FILE_HOURS": "0.005"}  # 18 seconds
    with running_worker(broker_url=broker, name="export", extra_env=env):
        export = _start(client)
        detail = reverse("exports:detail", args=[export.pk])
        download = reverse("exports:download", args=[export.pk])
        wait_for(lambda: _status(export) == ExportStatus.READY, timeout=60)
        page = client.get(detail).content.decode()
        assert 'value="100"' in page and "11 of 11 rows" in page
        assert download in page and "http-equiv" not in page  # no more reloading

        lines = _lines(client.get(download))
        assert len(lines) == 12 and len(set(lines)) == 12  # the header, 11 people once each
        assert AccessLog.objects.filter(purpose="export_services").count() == 11

        # Past its expiry the link answers 404 at once; the sweep (on the worker) deletes it.
        wait_for(lambda: client.get(download).status_code == 404, timeout=40, interval=1)
        app.send_task(EXPORTS_SWEEP)
        wait_for(lambda: _status(export) == ExportStatus.EXPIRED, timeout=30)
    assert not list(exporting.iterdir())
    page = client.get(detail).content.decode()
    assert "The file has expired and was deleted." in page


def test_an_export_whose_worker_is_killed_is_written_again_by_the_next_worker(
    transactional_db: None, broker: str, supervisor: Any, registry: None, exporting: Path
) -> None:
    client = signed_in(supervisor)
    env = {"EXPORT_DIR": str(exporting), "EXPORT_LEASE_SECONDS": "3"}
    with running_worker(broker_url=broker, name="export-first", extra_env=env) as worker:
        # Hold the access log's lock: the worker is caught in its first chunk, file open.
        with chain_lock_held(ACCESS_CHAIN):
            export = _start(client)
            stuck = wait_for(lambda: session_waiting_for(ACCESS_CHAIN), timeout=60)
            assert _status(export) == ExportStatus.RUNNING
            assert [path.name for path in exporting.iterdir()] == [f"export-{export.pk}-1.part"]
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        wait_for(lambda: session_gone(stuck), timeout=30)

    download = reverse("exports:download", args=[export.pk])
    assert _status(export) == ExportStatus.RUNNING  # nobody will finish it by itself
    assert client.get(download).status_code == 404  # the half-written file is never served
    assert AccessLog.objects.filter(purpose="export_services").count() == 0

    lease = DataExport.objects.get(pk=export.pk).lease_until
    assert lease is not None
    wait_for(lambda: timezone.now() > lease, timeout=10)  # the dead worker's lease lapses
    with running_worker(broker_url=broker, name="export-second", extra_env=env):
        app.send_task(EXPORTS_SWEEP)  # as beat does
        wait_for(lambda: _status(export) == ExportStatus.READY, timeout=60)
    export.refresh_from_db()
    assert export.attempts == 2 and export.percent == 100
    assert sorted(path.name for path in exporting.iterdir()) == [f"export-{export.pk}.csv"]
    lines = _lines(client.get(download))
    assert len(lines) == 12 and len(set(lines)) == 12
    assert AccessLog.objects.filter(purpose="export_services").count() == 11
