"""A background export outlives its worker: a run holds a lease that each chunk renews; the
sweep queues again an export whose lease lapsed (its worker died), and the next run writes the
file again from the start, under a name of its own, so that no partial file is ever served."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from protection.exports import export_job_run, exports_sweep
from protection.models import AccessLog, DataExport, ExportStatus
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

NEW = reverse("exports:new")


def _start(client: Any, capture: Any) -> DataExport:
    with capture(execute=False):
        response = client.post(
            f"{NEW}?dataset=people",
            {"file_format": "csv", "level": "individual", "purpose": "export_services"},
        )
    assert response.status_code == 302
    return DataExport.objects.get()


def _left_running(export: DataExport, *, lease: datetime.datetime, tmp_path: Any) -> Any:
    """Make the export look as a killed worker leaves it: running, half a file written."""
    DataExport.objects.filter(pk=export.pk).update(
        status=ExportStatus.RUNNING, attempts=1, rows_done=6, lease_until=lease
    )
    part = tmp_path / f"export-{export.pk}-1.part"
    part.write_bytes(b"half a file")
    return part


@pytest.fixture
def exporting(settings: Any, tmp_path: Any) -> Any:
    settings.EXPORT_STREAM_MAX_ROWS = 5
    settings.EXPORT_DIR = tmp_path
    settings.EXPORT_MAX_ATTEMPTS = 3
    return tmp_path


def test_a_run_leaves_an_export_alone_while_another_worker_holds_its_lease(
    supervisor, registry, exporting, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(supervisor)
    export = _start(client, django_capture_on_commit_callbacks)
    part = _left_running(
        export, lease=timezone.now() + datetime.timedelta(minutes=4), tmp_path=exporting
    )

    assert export_job_run(export_id=export.pk).status == ExportStatus.RUNNING
    export.refresh_from_db()
    assert export.attempts == 1 and export.rows_done == 6
    assert part.read_bytes() == b"half a file"  # the living run's file is untouched
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    page = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert reverse("exports:download", args=[export.pk]) not in page
    assert exports_sweep() == 0
    assert DataExport.objects.get(pk=export.pk).status == ExportStatus.RUNNING


def test_a_run_takes_over_a_lapsed_export_and_writes_it_again_from_the_start(
    supervisor, registry, exporting, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(supervisor)
    export = _start(client, django_capture_on_commit_callbacks)
    part = _left_running(
        export, lease=timezone.now() - datetime.timedelta(seconds=1), tmp_path=exporting
    )

    done = export_job_run(export_id=export.pk)
    assert done.status == ExportStatus.READY and done.attempts == 2
    assert done.rows_done == 11 and done.percent == 100 and done.lease_until is None
    assert not part.exists()
    assert sorted(path.name for path in exporting.iterdir()) == [f"export-{export.pk}.csv"]
    download = client.get(reverse("exports:download", args=[export.pk]))
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 12  # the header and the 11 people, each once
    assert len(set(lines)) == 12
    assert AccessLog.objects.filter(purpose="export_services").count() == 11


def test_the_sweep_fails_an_export_whose_worker_died_on_every_attempt(
    supervisor, registry, exporting, django_capture_on_commit_callbacks
) -> None:
    client = signed_in(supervisor)
    export = _start(client, django_capture_on_commit_callbacks)
    part = _left_running(
        export, lease=timezone.now() - datetime.timedelta(seconds=1), tmp_path=exporting
    )
    DataExport.objects.filter(pk=export.pk).update(attempts=3)

    assert exports_sweep() == 0
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and export.filters == {}
    assert not part.exists()
    assert export_job_run(export_id=export.pk).status == ExportStatus.FAILED
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404


def test_a_run_whose_lease_was_taken_over_stops_and_keeps_no_file(
    supervisor, registry, exporting, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    """A worker thought dead (a long pause) that wakes after another run took its export over
    stops at its next chunk and removes its own file; the other run's file stands."""
    from protection import datasets

    client = signed_in(supervisor)
    export = _start(client, django_capture_on_commit_callbacks)
    monkeypatch.setattr(datasets, "LISTING_CHUNK", 4)
    reads = datasets.listing_chunks

    def taken_over_after_the_first_chunk(queryset: Any, fields: Any) -> Any:
        for number, chunk in enumerate(reads(queryset, fields)):
            if number == 1:  # another run claims the export meanwhile
                DataExport.objects.filter(pk=export.pk).update(attempts=2)
            yield chunk

    monkeypatch.setattr("protection.exports.listing_chunks", taken_over_after_the_first_chunk)
    left = export_job_run(export_id=export.pk)
    assert left.status == ExportStatus.RUNNING and left.attempts == 2
    assert not list(exporting.iterdir())
