"""The community reporting line in the browser: a person on a phone with scripts off reports a
concern and gets a reference; an officer of the site's agency makes it an incident; the person
then reads "being followed up". Desktop and phone, English and Arabic; axe-core finds nothing.

Screenshots go to test-results/community/ (or COMMUNITY_SCREENSHOTS).
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from incidents.models import CommunityReport
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("community", "COMMUNITY_SCREENSHOTS")


def _no_violation(page: Any) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_concern_reported_without_scripts_becomes_an_incident(
    live_server: Any, browser: Any, site: Any, officer: Any, device: str, language: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    public = browser.new_context(
        viewport=VIEWPORTS[device], locale=language, java_script_enabled=False
    )
    page = public.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/report/?lang={language}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        page.select_option('select[name="site"]', str(site.pk))
        page.check('input[name="kind"][value="armed_presence"]')
        page.fill('textarea[name="description"]', "Armed men near the water point at night.")
        page.fill('input[name="occurred_on"]', "01/01/2000")  # a wrong day first
        page.screenshot(path=str(SCREENSHOTS / f"form-{device}-{language}.png"), full_page=True)
        page.wait_for_timeout(3_100)  # a person takes longer than a script to fill a form
        page.locator("main button[type=submit]").click()
        assert page.locator(".errorlist").count() == 1  # the year-old day, named
        today = page.evaluate(
            "(() => { const d = new Date(); return [d.getDate(), d.getMonth() + 1,"
            " d.getFullYear()].map(n => String(n).padStart(2, '0')).join('/'); })()"
        )
        page.fill('input[name="occurred_on"]', today)
        page.wait_for_timeout(3_100)
        page.locator("main button[type=submit]").click()
        reference = page.locator(".reference strong").inner_text()
        assert re.fullmatch(r"CR-[0-9A-Z]{4}-[0-9A-Z]{4}", reference)
        assert public.cookies() == []
        page.screenshot(path=str(SCREENSHOTS / f"received-{device}-{language}.png"), full_page=True)
    finally:
        public.close()

    staff = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    desk = staff.new_page()
    desk.set_default_timeout(15_000)
    try:
        desk.goto(f"{live_server.url}/accounts/login/")
        desk.fill('[name="username"]', officer.username)
        desk.fill('[name="password"]', PASSWORD)
        desk.locator('main button[type="submit"], main input[type="submit"]').first.click()
        desk.wait_for_load_state()
        desk.goto(f"{live_server.url}/incidents/community/")
        desk.locator(f"text={reference}").click()
        desk.select_option('select[name="incident-incident_type"]', index=1)
        desk.select_option('select[name="incident-severity"]', "3")
        desk.select_option('select[name="incident-perpetrator_category"]', index=1)
        _no_violation(desk)
        desk.screenshot(path=str(SCREENSHOTS / f"triage-{device}-{language}.png"), full_page=True)
        desk.locator("#make-incident ~ form button[type=submit]").click()
        desk.wait_for_load_state()
        assert CommunityReport.objects.get(reference=reference).incident is not None
    finally:
        staff.close()

    # axe-core runs as a script: the public pages are checked again with scripts on.
    status = browser.new_context(viewport=VIEWPORTS[device])
    check = status.new_page()
    try:
        check.goto(f"{live_server.url}/report/status/?lang={language}&reference={reference}")
        assert check.locator("p.state").count() == 1
        assert "Armed men" not in check.content()
        _no_violation(check)
        check.goto(f"{live_server.url}/report/?lang={language}")
        _no_violation(check)
    finally:
        status.close()
