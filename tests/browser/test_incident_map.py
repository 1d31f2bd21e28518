"""The incident map in the browser, with the network closed to every host but the app (local).

The base layer the app ships (country and first-level boundaries) is drawn without tiles;
incidents placed together are grouped into one numbered circle that opens by zooming in; the
site is a square labelled with its population; another agency's site is not on the map. On a
desktop and a phone, in English and in Arabic; axe-core finds no critical or serious fault.

Screenshots go to test-results/map/ (or MAP_SCREENSHOTS).
"""

import decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.factories import register_household
from tests.incidents.conftest import report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("map", "MAP_SCREENSHOTS")


def _no_serious_fault(page: Any) -> None:
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("critical", "serious")
    ]
    assert not serious, results.generate_report()


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_the_map_draws_boundaries_groups_and_sites_offline(
    live_server: Any,
    browser: Any,
    officer: Any,
    site: Any,
    other_site: Any,
    device: str,
    language: str,
) -> None:
    register_household(
        actor=officer,
        site=site,
        members=[{}, {"relationship_to_head": "child", "given_name": "Ali"}],
    )
    for _ in range(4):
        report(officer, site=site)
    # One placed at its own point, a hundred kilometres away: not grouped with the others.
    report(officer, site=site, latitude=decimal.Decimal("8.6"), longitude=decimal.Decimal("31.0"))

    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    elsewhere: list[str] = []

    def only_the_app(route: Any) -> None:
        if urlsplit(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_app)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}/incidents/map/")
        page.wait_for_selector("#incident-map[data-incidents][data-boundaries]")
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

        # The boundaries: countries and first-level units, drawn with a real size.
        countries = page.locator("path.boundary-country")
        units = page.locator("path.boundary-admin1")
        assert countries.count() >= 5 and units.count() >= 10
        box = countries.first.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50

        # Four incidents at the site make one group of four; the fifth stands alone.
        assert page.locator("#incident-map").get_attribute("data-incidents") == "5"
        groups = page.locator(".incident-cluster")
        assert groups.count() == 1
        assert groups.first.inner_text().strip() in ("4", "٤")
        assert page.locator(".incident-point").count() == 1

        # The site, with its population; not the other agency's site.
        label = page.locator(".site-label")
        assert label.count() == 1
        assert site.name in label.inner_text()
        if language == "en":
            assert "2 people" in label.inner_text()
        assert other_site.name not in page.locator("#incident-map").inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"map-{device}-{language}.png"), full_page=True)
        _no_serious_fault(page)

        # The four share one point (their site): opening the group lists them.
        groups.first.click()
        assert page.locator(".leaflet-popup-content a").count() == 4
        assert not elsewhere, elsewhere
    finally:
        context.close()
