"""An officer imports a spreadsheet in the browser, with a real Celery worker behind the page.

Good rows, a bad row and a duplicate: the dry run's report names the bad row and the duplicate,
the commit imports only the good rows, and the progress bar (static/js/import-progress.js)
reaches 100 %. On a desktop in English and a phone in Arabic; axe-core finds no violation.
Screenshots go to test-results/imports/ (or IMPORT_SCREENSHOTS).
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import DisplacedPerson, RegistryImport
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.celery_worker import redis_broker, running_worker
from tests.factories import PASSWORD, UserFactory, register_household
from tests.imports.files import bad_and_duplicate_rows, csv_bytes, good_rows

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

BROKER_URL = os.environ.get("PROTECTION_INTEGRATION_BROKER_URL", "redis://127.0.0.1:6379/12")
SCREENSHOTS = screenshots_dir("imports", "IMPORT_SCREENSHOTS")


@pytest.fixture
def worker(transactional_db: None) -> Iterator[None]:
    with redis_broker(BROKER_URL) as url, running_worker(broker_url=url, name="browser-import"):
        yield


def _check(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(("device", "language"), [("desktop", "en"), ("phone", "ar")])
def test_officer_imports_a_file_dry_run_then_commit(
    live_server: Any,
    browser: Any,
    agency: Any,
    site: Any,
    worker: None,
    device: str,
    language: str,
    tmp_path: Path,
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="importer")
    existing = register_household(actor=officer, site=site).members[0]
    upload = tmp_path / "arrivals.csv"
    upload.write_bytes(csv_bytes(good_rows() + bad_and_duplicate_rows()))
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill('[name="username"]', "importer")
        page.fill('[name="password"]', PASSWORD)
        page.locator('form button[type="submit"]').last.click()
        page.wait_for_url(re.compile(r"/dashboard/$"))  # an officer starts at the dashboard

        page.goto(f"{live_server.url}/registry/imports/")
        page.select_option('[name="site"]', str(site.pk))
        page.set_input_files('[name="file"]', str(upload))
        _check(page, f"{device}-{language}-upload")
        page.locator('form[enctype="multipart/form-data"] button[type="submit"]').click()
        page.wait_for_url(re.compile(r"/registry/imports/\d+/$"))

        page.locator('form[action$="/dry-run/"] button').click()
        # The page polls and shows the report when the worker is done.
        page.locator('form[action$="/commit/"] button').wait_for()
        report = page.locator("table").inner_text()
        assert re.search(r"\b5\b", report) and existing.registration_number in report
        assert re.search(r"\b6\b", report)
        assert page.locator("#import-progress-bar").get_attribute("value") == "100"
        _check(page, f"{device}-{language}-dry-run")

        page.locator('form[action$="/commit/"] button').click()
        page.wait_for_function(
            "() => document.querySelector('#import-progress-bar')?.value === 100 && "
            "!document.querySelector('form[action$=\"/commit/\"]')"
        )
        page.wait_for_load_state()
        job = RegistryImport.objects.get()
        assert job.status == "done"
        assert page.locator("#import-progress-text").inner_text().strip() == "100 %"
        _check(page, f"{device}-{language}-done")
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
    finally:
        context.close()
    imported = DisplacedPerson.objects.exclude(pk=existing.pk)
    assert sorted(imported.values_list("given_name", flat=True)) == ["Grace", "Joseph", "Peter"]
