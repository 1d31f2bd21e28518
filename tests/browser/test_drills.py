"""A drill in the browser: a supervisor starts one, the duty officer sees the DRILL alert and
acknowledges it, and the drill's report shows the time it took. Desktop and phone, English and
Arabic; axe-core finds nothing.

Screenshots go to test-results/drills/ (or DRILL_SCREENSHOTS).
"""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from incidents.models import Alert, Drill, IncidentType
from tests import factories
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.incidents.conftest import make_policy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("drills", "DRILL_SCREENSHOTS")


def _no_violation(page: Any) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def _page(browser: Any, device: str, language: str, base_url: str, user: Any) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in_as(page, base_url, user)
    return page


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_supervisor_runs_a_drill_and_its_report_shows_the_response(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    supervisor = factories.UserFactory(
        agency=agency, role="supervisor", preferred_language=language
    )
    duty = factories.UserFactory(
        agency=agency, role="protection_officer", preferred_language=language
    )
    make_policy(tiers=[{"users": [duty], "deadline": 15}], minimum_severity=3)
    shot = f"{device}-{language}.png"

    desk = _page(browser, device, language, live_server.url, supervisor)
    try:
        desk.goto(f"{live_server.url}/incidents/drills/?lang={language}")
        assert desk.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        desk.select_option('select[name="site"]', str(site.pk))
        desk.fill('input[name="scenario"]', "Armed men at the market")
        abduction = IncidentType.objects.get(code="abduction")
        desk.select_option('select[name="incident_type"]', str(abduction.pk))
        desk.select_option('select[name="severity"]', "3")
        _no_violation(desk)
        desk.screenshot(path=str(SCREENSHOTS / f"start-{shot}"), full_page=True)
        desk.locator("#start-drill ~ form button[type=submit]").click()
        desk.wait_for_load_state()
        drill = Drill.objects.get()
        assert desk.url.endswith(f"/incidents/drills/{drill.pk}/")
    finally:
        desk.context.close()

    alert = Alert.objects.get(incident__drill=drill)
    inbox = _page(browser, device, language, live_server.url, duty)
    try:
        inbox.goto(f"{live_server.url}/incidents/alerts/{alert.pk}/")
        assert inbox.locator("p.flag.drill").count() == 1
        _no_violation(inbox)
        inbox.screenshot(path=str(SCREENSHOTS / f"alert-{shot}"), full_page=True)
        inbox.locator("main form button[type=submit]").first.click()
        inbox.wait_for_load_state()
        alert.refresh_from_db()
        assert alert.acknowledged_by == duty
    finally:
        inbox.context.close()

    desk = _page(browser, device, language, live_server.url, supervisor)
    try:
        desk.goto(f"{live_server.url}/incidents/drills/{drill.pk}/")
        rows = desk.locator("[aria-labelledby=responses] tbody tr")
        assert rows.count() == 1
        # Acknowledged within seconds: 0.0 to a few tenths of a minute, and in time.
        assert "min" in rows.first.inner_text() or "دقيقة" in rows.first.inner_text()
        _no_violation(desk)
        desk.screenshot(path=str(SCREENSHOTS / f"report-{shot}"), full_page=True)
    finally:
        desk.context.close()
