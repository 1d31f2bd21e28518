"""The pipeline's health page in the browser: an agency administrator opens it from the admin's
index, on a desktop and a phone, in English and in Arabic; axe-core finds no violation.

Screenshots go to test-results/pipeline-health/ (or PIPELINE_SCREENSHOTS), for a person to
look at what an administrator sees.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.factories import PASSWORD
from tests.health.conftest import local_webhooks, outbox, test_broker  # noqa: F401 - fixtures
from tests.second_factor import enrol, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("pipeline-health", "PIPELINE_SCREENSHOTS")


def _sign_in_to_the_admin(page: Any, base: str, username: str, device: Any) -> None:
    page.goto(f"{base}/admin/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.locator('input[type="submit"]').click()
    # An administrator's second factor: the code from their authenticator app.
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    page.fill('[name="otp_token"]', totp_code(device, ahead=1))
    page.locator('form.page-form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/admin/$"))


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_agency_administrator_reads_the_pipelines_health(
    live_server: Any,
    browser: Any,
    agency: Any,
    outbox: dict[str, Any],  # noqa: F811 - the fixture imported above
    test_broker: str,  # noqa: F811
    device: str,
    language: str,
) -> None:
    from tests.factories import UserFactory

    admin = UserFactory.create(agency=agency, role="admin", is_staff=True, username="mpu_admin")
    authenticator, _codes = enrol(admin)
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in_to_the_admin(page, live_server.url, "mpu_admin", authenticator)
        page.locator('a[href="/admin/pipeline/"]').click()
        page.wait_for_url(re.compile(r"/admin/pipeline/$"))

        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        pending = page.locator("#figure-deliveries_pending")
        assert pending.locator("td").first.inner_text().strip() == "2"
        status = page.locator("#figure-oldest_pending_delivery_seconds .pipeline-status")
        assert "critical" in (status.get_attribute("class") or "")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{device}-{language}.png"), full_page=True)

        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
