"""A supervisor closes a corridor and sees it closed on the map: desktop and phone, en and ar.

The corridor page keeps the decision in its history; the map draws the corridor as a dotted
line (closed) beside the safe zone, with a legend that names each status in words. axe-core
finds no critical or serious fault on either page. Screenshots go to ZONES_SCREENSHOTS.
"""

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings

from incidents.models import CorridorStatus
from tests.browser.pages import VIEWPORTS
from tests.browser.session import sign_in_as
from tests.incidents.zone_world import make_corridor, make_zone, supervisor_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get("ZONES_SCREENSHOTS") or Path(settings.BASE_DIR) / "test-results" / "zones"
)


def _no_serious_fault(page: Any) -> None:
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("critical", "serious")
    ]
    assert not serious, results.generate_report()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_closing_a_corridor_shows_on_its_page_and_the_map(
    live_server: Any, browser: Any, site: Any, device: str, language: str
) -> None:
    supervisor = supervisor_of(site.managing_agency)
    make_zone(site, supervisor)
    corridor = make_corridor(site, supervisor)
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(30_000)
    # The map works offline: every host but the app is refused.
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost")
            else route.abort()
        ),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = f"{device}-{language}"
    try:
        sign_in_as(page, live_server.url, supervisor)
        page.goto(f"{live_server.url}/incidents/corridors/{corridor.pk}/")
        _no_serious_fault(page)
        page.check(f'input[name="status-status"][value="{CorridorStatus.CLOSED}"]')
        page.fill('textarea[name="status-reason"]', "Shelling near the bridge since dawn.")
        page.locator('form:has(input[name="decision"][value="status"]) button').click()
        page.wait_for_selector("#corridor-status .corridor-closed")
        assert (
            "Shelling near the bridge since dawn."
            in page.locator("section[aria-labelledby=history]").inner_text()
        )
        page.screenshot(path=str(SCREENSHOTS / f"corridor-{shot}.png"), full_page=True)
        _no_serious_fault(page)

        page.goto(f"{live_server.url}/incidents/map/")
        page.wait_for_selector("#incident-map[data-corridors]")
        assert page.locator("#incident-map").get_attribute("data-corridors") == (
            f"{corridor.code}:closed"
        )
        assert page.locator("path.corridor-closed").count() == 1
        assert page.locator("path.safe-zone").count() == 1
        assert page.locator(".map-legend li").count() == 4
        page.screenshot(path=str(SCREENSHOTS / f"map-{shot}.png"), full_page=True)
        _no_serious_fault(page)
    finally:
        context.close()
