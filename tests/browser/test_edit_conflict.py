"""Two officers edit the same incident's response in two browsers (protection.edits).

The first saves the actions taken; the second, whose page still shows the old values, saves
other actions: the page shows the conflict with both values and the one they started from,
saves nothing, and asks to choose; the second officer keeps their own and saves. On a desktop
and a phone, in English and in Arabic; axe-core finds no violation on the conflict page.

Screenshots go to test-results/edit-conflict/ (or EDIT_CONFLICT_SCREENSHOTS).
"""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from incidents.models import Incident
from protection.models import AuditEvent
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.factories import PASSWORD, UserFactory
from tests.incidents.conftest import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("edit-conflict", "EDIT_CONFLICT_SCREENSHOTS")
THEIRS = "Survivor referred to the clinic."
MINE = "Family informed; follow-up visit on Monday."


def _signed_in(browser: Any, live_server: Any, username: str, device: str, language: str) -> Any:
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill('[name="username"]', username)
    page.fill('[name="password"]', PASSWORD)
    page.locator('main button[type="submit"], main input[type="submit"]').first.click()
    page.wait_for_load_state()
    return page


def _save(page: Any) -> None:
    page.locator('form[action$="/update/"] button[type="submit"]').click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_second_officer_sees_the_conflict_chooses_and_saves(
    live_server: Any, browser: Any, agency: Any, site: Any, officer: Any, device: str, language: str
) -> None:
    UserFactory.create(agency=agency, role="protection_officer", username="colleague")
    incident = report(officer, site=site).incident
    url = f"{live_server.url}/incidents/{incident.pk}/"
    first = _signed_in(browser, live_server, "colleague", device, language)
    second = _signed_in(browser, live_server, officer.username, device, language)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        first.goto(url)
        second.goto(url)  # both open the form with the same values

        first.fill('[name="actions_taken"]', THEIRS)
        _save(first)
        assert Incident.objects.get(pk=incident.pk).actions_taken == THEIRS

        second.select_option('[name="verification"]', "verified")
        second.fill('[name="actions_taken"]', MINE)
        _save(second)

        panel = second.locator("#edit-conflicts")
        assert panel.is_visible()
        conflict = panel.locator('[data-field="actions_taken"]')
        assert conflict.locator(".conflict-theirs").inner_text().strip() == THEIRS
        assert conflict.locator(".conflict-yours").inner_text().strip() == MINE
        assert second.locator('[name="actions_taken"]').input_value() == MINE
        assert second.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        saved = Incident.objects.get(pk=incident.pk)
        assert (saved.actions_taken, saved.verification) == (THEIRS, "reported")
        second.screenshot(
            path=str(SCREENSHOTS / f"conflict-{device}-{language}.png"), full_page=True
        )
        results = Axe().run(second)
        assert results.violations_count == 0, results.generate_report()
        width = second.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[device]["width"]

        conflict.locator('input[value="mine"]').check()
        _save(second)

        saved = Incident.objects.get(pk=incident.pk)
        assert (saved.actions_taken, saved.verification) == (MINE, "verified")
        assert AuditEvent.objects.filter(action="incident.edit_conflict").count() == 1
        assert second.locator("#edit-conflicts").count() == 0
        assert "incident.edit_conflict" not in second.locator("main").inner_text()
        second.screenshot(path=str(SCREENSHOTS / f"saved-{device}-{language}.png"), full_page=True)
    finally:
        first.context.close()
        second.context.close()
