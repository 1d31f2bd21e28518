"""A protection officer opens a person's data-subject report in the browser, gives the purpose,
reads who opened the file, downloads the PDF and corrects a field at the person's request; on
a desktop and a phone, in English and in Arabic, axe-core finds no violation.

Screenshots go to test-results/subject-report/ (or SUBJECT_REPORT_SCREENSHOTS): the page as
shown, and as printed.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import PersonCorrection
from protection.models import AccessLog
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.factories import PASSWORD, SiteFactory, UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("subject-report", "SUBJECT_REPORT_SCREENSHOTS")


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.locator('button[type="submit"]').last.click()
    page.wait_for_url(re.compile(r"/dashboard/$"))  # an officer starts at the dashboard


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_officer_opens_the_report_with_a_purpose_and_corrects_a_field(
    live_server: Any, browser: Any, agency: Any, device: str, language: str
) -> None:
    site: Any = SiteFactory(managing_agency=agency, code="MAL-POC", name="Malakal PoC")
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    person = register_household(actor=officer, site=site).members[0]
    context = browser.new_context(
        viewport=VIEWPORTS[device], locale=language, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in(page, live_server.url, "officer")
        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        page.locator(f'a[href="/registry/people/{person.pk}/subject-report/"]').click()
        page.wait_for_url(re.compile(r"/subject-report/$"))
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.locator('input[name="purpose"][value="subject_request"]').check()
        page.locator('main form button[type="submit"]').click()
        page.wait_for_url(re.compile(r"purpose=subject_request"))
        accesses = page.locator("table.accesses tbody tr")
        assert accesses.count() >= 2  # the person's page and this report
        assert "officer" in accesses.first.inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        page.emulate_media(media="print")
        assert page.locator(".site-header").is_hidden()
        page.screenshot(path=str(SCREENSHOTS / f"{device}-{language}-print.png"), full_page=True)
        page.emulate_media(media="screen")

        with page.expect_download() as download:
            page.locator('a[href*="/subject-report/pdf/"]').click()
        assert download.value.suggested_filename == (
            f"subject-report-{person.registration_number}.pdf"
        )
        assert AccessLog.objects.filter(
            part="subject_report_pdf", purpose="subject_request"
        ).exists()

        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        page.locator("#correction-title").click()
        page.select_option('select[name="field"]', "phone")
        page.fill('input[name="value"]', "+211 955 000 111")
        page.select_option('select[name="reason"]', "person_request")
        page.locator('form[action$="/correct/"] button[type="submit"]').click()
        page.wait_for_url(re.compile(rf"/registry/people/{person.pk}/$"))
        assert PersonCorrection.objects.filter(person=person, field_name="phone").exists()
        page.get_by_text("+211 955 000 111").first.wait_for()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
