"""Two-step verification in the browser: an administrator enrols and signs in with a code, a
supervisor without one is sent to enrolment, a recovery code works once. axe-core checks the
enrolment and verification pages; screenshots go to test-results/second-factor/.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from protection.accounts.second_factor import INVALID_MESSAGE
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_out
from tests.factories import PASSWORD, UserFactory
from tests.second_factor import enrol, totp_code_from_secret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("second-factor", "SECOND_FACTOR_SCREENSHOTS")


def _password(page: Any, base: str, username: str, login: str = "/accounts/login/") -> None:
    page.goto(f"{base}{login}")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.locator('form.page-form [type="submit"], #login-form [type="submit"]').first.click()
    page.wait_for_load_state()


def _code(page: Any, code: str) -> None:
    page.fill('[name="otp_token"]', code)
    page.locator("form.page-form button[type='submit']").click()
    page.wait_for_load_state()


def _look(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_an_admin_enrols_an_authenticator_and_signs_in_with_it(
    live_server: Any, browser: Any, agency: Any, language: str, device: str
) -> None:
    admin = UserFactory(agency=agency, role="admin", is_staff=True, username="mpu_admin")
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _password(page, live_server.url, "mpu_admin")
        page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
        assert page.locator(".qr-code svg").is_visible()
        secret = page.locator("[data-secret]").inner_text()
        _look(page, f"setup-{device}-{language}")

        _code(page, "000000")
        with translation.override(language):
            refused = str(INVALID_MESSAGE)
        assert refused in page.locator(".notice.error").inner_text()
        assert "/accounts/two-factor/setup/" in page.url
        TOTPDevice.objects.filter(user=admin).update(throttling_failure_count=0)

        _code(page, totp_code_from_secret(secret))
        codes = page.locator(".recovery-codes li").all_inner_texts()
        assert len(codes) == 10
        _look(page, f"codes-{device}-{language}")
        assert TOTPDevice.objects.get(user=admin).confirmed

        sign_out(page)
        _password(page, live_server.url, "mpu_admin", login="/admin/login/")
        page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
        _look(page, f"verify-{device}-{language}")
        _code(page, totp_code_from_secret(secret, ahead=1))
        page.wait_for_url(re.compile(r"/admin/$"))
        assert page.locator("#site-name").is_visible()
    finally:
        context.close()


def test_a_supervisor_without_a_second_factor_is_sent_to_enrolment(
    live_server: Any, page: Any, agency: Any
) -> None:
    UserFactory(agency=agency, role="supervisor", username="supervisor")
    _password(page, live_server.url, "supervisor")
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
    page.goto(f"{live_server.url}/registry/people/")
    page.wait_for_url(re.compile(r"/accounts/two-factor/setup/\?next=%2Fregistry%2Fpeople%2F"))
    assert page.get_by_role("heading", name="Set up two-step verification").is_visible()


def test_a_recovery_code_works_once(live_server: Any, page: Any, agency: Any) -> None:
    supervisor = UserFactory(agency=agency, role="supervisor", username="supervisor")
    _device, codes = enrol(supervisor)

    _password(page, live_server.url, "supervisor")
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    _code(page, codes[0])
    assert "You signed in with a recovery code" in page.locator(".messages").inner_text()
    assert "/accounts/two-factor/" not in page.url

    sign_out(page)
    _password(page, live_server.url, "supervisor")
    page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    _code(page, codes[0])
    assert str(INVALID_MESSAGE) in page.locator(".notice.error").inner_text()
    assert "/accounts/two-factor/verify/" in page.url
