"""The people, cases and incidents lists on a phone (390 x 844) and a desktop, English and Arabic.

On the phone each row is a card (the table's cells as labelled lines), the first result shows on
the first screen (the header is compact, the filters folded), nothing scrolls sideways, and every
link, button and summary of the page's content is a target of at least 44 x 44 px. On the
desktop the table stays a table. axe-core finds no critical or serious fault.

Screenshots go to test-results/phone-lists/ (or PHONE_LIST_SCREENSHOTS).
"""

import datetime
import random
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.casework.conftest import open_case
from tests.factories import register_household
from tests.incidents.conftest import report
from tests.names import syllable_name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("phone-lists", "PHONE_LIST_SCREENSHOTS")
LISTS = {"people": "/registry/people/", "cases": "/registry/cases/", "incidents": "/incidents/"}
TARGETS = "main a, main button, main summary, main input[type=submit]"


def _no_serious_fault(page: Any) -> None:
    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("critical", "serious")
    ]
    assert not serious, results.generate_report()


def _small_targets(page: Any) -> list[str]:
    """Return the visible targets of the main content smaller than 44 x 44 px."""
    small = []
    for target in page.locator(TARGETS).all():
        box = target.bounding_box()
        if box and target.is_visible() and (box["width"] < 43.5 or box["height"] < 43.5):
            small.append(f"{target.inner_text()!r} {box['width']:.0f}x{box['height']:.0f}")
    return small


@pytest.fixture
def filled(officer: Any, site: Any) -> None:
    """Twelve households, three cases and five incidents in the officer's site."""
    rng = random.Random(13)
    people = []
    for number in range(12):
        born = datetime.date(1960 + 3 * number, 1 + number, 10)
        names = {"given_name": syllable_name(rng), "family_name": syllable_name(rng)}
        members = [{**names, "date_of_birth": born}]
        people += register_household(actor=officer, site=site, members=members).members
    for person in people[:3]:
        open_case(officer, person)
    for _ in range(5):
        report(officer, site=site)


@pytest.mark.usefixtures("filled")
@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_the_lists_are_cards_on_a_phone_with_the_first_result_on_the_first_screen(
    live_server: Any, browser: Any, officer: Any, device: str, language: str
) -> None:
    viewport = VIEWPORTS[device]
    context = browser.new_context(viewport=viewport, locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, officer)
        for name, path in LISTS.items():
            page.goto(f"{live_server.url}{path}")
            assert page.locator("html").get_attribute("dir") == (
                "rtl" if language == "ar" else "ltr"
            )
            first = page.locator("table.list-table tbody tr").first
            box = first.bounding_box()
            assert box is not None, name
            display = first.evaluate("row => getComputedStyle(row).display")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (name, width)
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{device}-{language}.png"))
            if device == "phone":
                assert display == "grid", name  # a card, not a table row
                assert page.locator("table.list-table thead").is_visible() is False or (
                    page.locator("table.list-table thead").bounding_box()["height"] <= 1
                )
                # The whole first card shows on the first screen, without scrolling.
                assert box["y"] + box["height"] <= viewport["height"], (name, box)
                assert not _small_targets(page), (name, _small_targets(page))
                # The filters are folded until opened.
                assert page.locator("details.more-filters").get_attribute("open") is None
            else:
                assert display == "table-row", name
            _no_serious_fault(page)
    finally:
        context.close()
