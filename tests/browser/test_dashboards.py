"""The dashboards in the browser: a supervisor signs in, lands on their dashboard, opens a
site's situation and the mission, on a desktop and a phone, in English and in Arabic. The
charts are drawn (SVG on the server, no script) and axe-core finds no violation.

Screenshots go to test-results/dashboards/ (or DASHBOARD_SCREENSHOTS).
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.factories import UserFactory
from tests.monitoring.conftest import partner, world  # noqa: F401 - the seeded world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("dashboards", "DASHBOARD_SCREENSHOTS")


def _charts_drawn(page: Any) -> int:
    """Return how many charts show with a real size and at least one bar or line drawn."""
    drawn = 0
    for chart in page.locator("figure.chart svg").all():
        box = chart.bounding_box()
        shapes = [shape.bounding_box() for shape in chart.locator("rect.bar, polyline.line").all()]
        visible = [
            shape for shape in shapes if shape and shape["width"] > 1 and shape["height"] > 1
        ]
        if box and box["width"] > 200 and box["height"] > 60 and visible:
            drawn += 1
    return drawn


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_supervisor_reads_the_dashboards(
    live_server: Any,
    browser: Any,
    world: Any,  # noqa: F811 - the fixture imported above
    agency: Any,
    site: Any,
    device: str,
    language: str,
) -> None:
    supervisor = UserFactory.create(agency=agency, role="supervisor", username="duty_supervisor")
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        # A supervisor signs in with a second factor (tests/browser/test_second_factor.py).
        sign_in_as(page, live_server.url, supervisor)
        page.goto(f"{live_server.url}/")
        page.wait_for_url(re.compile(r"/dashboard/$"))
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        page.screenshot(path=str(SCREENSHOTS / f"home-{device}-{language}.png"), full_page=True)
        assert Axe().run(page).violations_count == 0

        page.locator(f'a[href="/dashboard/sites/{site.pk}/"]').first.click()
        page.wait_for_url(re.compile(rf"/dashboard/sites/{site.pk}/$"))
        # Open cases by risk and incidents per week (no population snapshot yet).
        assert _charts_drawn(page) == 2
        assert page.locator("svg line.reference").count() == 1  # the expected count per week
        page.screenshot(path=str(SCREENSHOTS / f"site-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.goto(f"{live_server.url}/dashboard/mission/")
        assert _charts_drawn(page) == 2
        page.screenshot(path=str(SCREENSHOTS / f"mission-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
