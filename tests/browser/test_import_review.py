"""An officer reviews the row an import held as a possible duplicate and registers it anyway.

The review page lists the held row with its candidate and score; the officer registers it, the
page says under which number, and nothing is left to review. On a desktop and a phone, in
English and Arabic; axe-core finds no violation. Screenshots go to test-results/imports/ (or
IMPORT_SCREENSHOTS).
"""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import ImportRow
from cases.registry.imports import services
from cases.registry.imports.dry_run import registry_import_dry_run
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.factories import UserFactory, register_household
from tests.imports.files import bad_and_duplicate_rows, csv_bytes, good_rows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("imports", "IMPORT_SCREENSHOTS")


@pytest.mark.parametrize(
    ("device", "language"),
    [("desktop", "en"), ("phone", "ar"), ("desktop", "ar"), ("phone", "en")],
)
def test_officer_registers_a_held_row_anyway(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    officer: Any = UserFactory(agency=agency, role="protection_officer")
    existing = register_household(actor=officer, site=site).members[0]
    job = services.registry_import_upload(
        actor=officer,
        site=site,
        file_name="arrivals.csv",
        data=csv_bytes(good_rows() + bad_and_duplicate_rows()),
    )
    services.registry_import_dry_run_start(actor=officer, registry_import=job)
    assert registry_import_dry_run(import_id=job.pk)
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}/registry/imports/{job.pk}/review/")
        held = page.locator("section.member")
        assert held.count() == 1
        assert existing.registration_number in held.inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"review-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.locator('form[action$="/rows/6/release/"] button').click()
        page.wait_for_load_state()
        row = ImportRow.objects.get(registry_import=job, row_number=6)
        assert row.person is not None
        assert row.person.registration_number in page.locator(".messages").inner_text()
        assert page.locator("section.member").count() == 0
        page.screenshot(
            path=str(SCREENSHOTS / f"review-{device}-{language}-done.png"), full_page=True
        )
    finally:
        context.close()
