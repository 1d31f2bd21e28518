"""Passkeys in the browser: Chromium's virtual authenticator (DevTools WebAuthn domain) stands
for a phone or a security key. A supervisor held at enrolment registers a passkey, signs out,
and passes the code step with it; under the strict Content-Security-Policy, with no console
error, and axe-core finds nothing on the pages. Screenshots go to test-results/passkeys/.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_otp_webauthn.models import WebAuthnCredential

from protection.models import AuditEvent
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_out
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("passkeys", "SECOND_FACTOR_SCREENSHOTS")


def _password(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.locator('form.page-form [type="submit"]').first.click()
    page.wait_for_load_state()


def _look(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize(("language", "device"), [("en", "desktop"), ("ar", "phone")])
def test_a_supervisor_registers_a_passkey_and_signs_in_with_it(
    live_server: Any, browser: Any, agency: Any, settings: Any, language: str, device: str
) -> None:
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    assert live_server.url.startswith("http://localhost:")
    supervisor = UserFactory(agency=agency, role="supervisor", username="supervisor")
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    try:
        _password(page, live_server.url, "supervisor")
        page.wait_for_url(re.compile(r"/accounts/two-factor/setup/"))
        register = page.locator("#passkey-register-button")
        register.wait_for()
        _look(page, f"setup-{device}-{language}")

        register.click()
        page.wait_for_url(re.compile(r"/accounts/two-factor/$"))
        assert page.locator(".passkey-list li").count() == 1
        _look(page, f"account-{device}-{language}")
        assert WebAuthnCredential.objects.filter(user=supervisor).count() == 1
        assert AuditEvent.objects.filter(action="user.second_factor_enrol").count() == 1

        sign_out(page)
        _password(page, live_server.url, "supervisor")
        page.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
        use = page.locator("#passkey-verification-button")
        use.wait_for()
        _look(page, f"verify-{device}-{language}")

        use.click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        page.goto(f"{live_server.url}/registry/people/")
        assert "/accounts/two-factor/" not in page.url
        event = AuditEvent.objects.get(action="user.second_factor_verify")
        assert event.changes["device_type"] == [None, "passkey"]
        assert problems == []
    finally:
        context.close()
