"""A dry run that fails on a bug stops after a few attempts; the officer sees that it failed."""

from typing import Any

import pytest
from django.urls import reverse

from cases.models import ImportStatus, RegistryImport
from cases.registry.imports import services
from cases.registry.imports.dry_run import registry_import_dry_run
from protection.models import AuditEvent
from tests.imports.files import uploaded_import
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db(transaction=True)


def _broken_dry_run(officer: Any, site: Any) -> RegistryImport:
    """Queue a dry run whose stored mapping names a column the file lacks: it raises a KeyError,
    as a bug would, every time it runs."""
    job = uploaded_import(officer=officer, site=site)
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    RegistryImport.objects.filter(pk=job.pk).update(mapping={**job.mapping, "Gone": "phone"})
    return job


def test_a_dry_run_failing_on_a_bug_is_marked_failed_after_its_last_attempt(
    officer: Any, site: Any
) -> None:
    job = _broken_dry_run(officer, site)
    for _attempt in range(services.MAX_IMPORT_ATTEMPTS - 1):
        with pytest.raises(KeyError):
            registry_import_dry_run(import_id=job.pk)
        assert RegistryImport.objects.get(pk=job.pk).status == ImportStatus.VALIDATING

    assert registry_import_dry_run(import_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.finished_at is not None
    assert "unexpected error 3 times" in job.error and "Gone" not in job.error
    assert "KeyError" not in job.error
    event = AuditEvent.objects.get(action="registry_import.failed", object_id=str(job.pk))
    assert event.changes["status"] == [ImportStatus.VALIDATING, ImportStatus.FAILED]
    # Never queued again, and the officer reads why on the import's page.
    assert services.registry_imports_resume() == 0
    page = signed_in(officer).get(reverse("cases:import_detail", args=[job.pk]))
    assert "unexpected error 3 times" in page.content.decode()


def test_an_import_whose_worker_died_at_every_attempt_is_not_queued_again(
    officer: Any, site: Any
) -> None:
    job = _broken_dry_run(officer, site)
    RegistryImport.objects.filter(pk=job.pk).update(attempts=services.MAX_IMPORT_ATTEMPTS)

    assert services.registry_imports_resume() == 0

    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "Nothing was registered" in job.error


def test_a_new_dry_run_starts_with_its_attempts_counted_from_zero(officer: Any, site: Any) -> None:
    job = uploaded_import(officer=officer, site=site)
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    assert registry_import_dry_run(import_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.VALIDATED and job.attempts == 1
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    job.refresh_from_db()
    assert job.attempts == 0
