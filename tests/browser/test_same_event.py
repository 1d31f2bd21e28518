"""Linked reports in the browser: an officer opens an incident, reads why another agency's report
is probably the same attack, links it, and finds both on the event page, the primary marked.
Desktop and phone, English and Arabic; axe-core finds no violation; nothing scrolls sideways.
Screenshots go to test-results/same-event/ (or SAME_EVENT_SCREENSHOTS).
"""

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.utils import timezone

from incidents.models import IncidentEvent
from tests.browser.pages import VIEWPORTS
from tests.browser.session import sign_in_as
from tests.incidents.conftest import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get("SAME_EVENT_SCREENSHOTS") or Path(settings.BASE_DIR) / "test-results"
) / ("same-event" if not os.environ.get("SAME_EVENT_SCREENSHOTS") else "")


def _checked(page: Any, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_officer_links_two_agencies_reports_of_one_attack(
    live_server: Any,
    browser: Any,
    site: Any,
    officer: Any,
    other_officer: Any,
    other_agency: Any,
    device: str,
    language: str,
) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    site.operating_agencies.add(other_agency)
    now = timezone.now()
    mine = report(officer, site=site, occurred_at=now - datetime.timedelta(hours=3)).incident
    theirs = report(
        other_officer, site=site, occurred_at=now - datetime.timedelta(hours=5)
    ).incident
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}/incidents/{mine.pk}/")
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        panel = page.locator("section[aria-labelledby=same-event-title]")
        assert theirs.reference in panel.inner_text()
        if language == "en":
            assert "same site, 2 hours apart, same type" in panel.inner_text()
        _checked(page, f"panel-{device}-{language}")

        panel.locator("button", has_text=theirs.reference).click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/incidents/{mine.pk}/same-event/")
        table = page.locator("section[aria-labelledby=event-reports-title] table")
        assert mine.reference in table.inner_text() and theirs.reference in table.inner_text()
        assert table.locator(".flag").count() == 1
        _checked(page, f"event-{device}-{language}")
        assert IncidentEvent.objects.get().primary_id == mine.pk
    finally:
        context.close()
