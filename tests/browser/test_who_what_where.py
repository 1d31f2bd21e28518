"""Who does what where in the browser: an officer goes from the sites to the 3W, filters one
sector and the gaps only, and finds the site that lacks it; on a desktop and a phone, in English
and in Arabic. axe-core finds no violation; the page fits the phone without sideways scrolling.

Screenshots go to test-results/3w/ (or THREEW_SCREENSHOTS).
"""

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from partners.models import Sector, Service
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.factories import PASSWORD, SiteFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("3w", "THREEW_SCREENSHOTS")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_officer_finds_the_gap_in_a_sector(
    live_server: Any, browser: Any, agency: Any, site: Any, officer: Any, device: str, language: str
) -> None:
    SiteFactory(managing_agency=agency, code="KAK-02", name="Kakuma Two")
    health = Sector.objects.get(code="health")
    clinic = Service.objects.create(agency=agency, name="Clinic", sector=health)
    clinic.sites.set([site])

    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill('[name="username"]', officer.username)
        page.fill('[name="password"]', PASSWORD)
        page.locator('main button[type="submit"], main input[type="submit"]').first.click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/camps/")
        page.locator('main a[href$="/camps/who-does-what-where/"]').click()
        page.wait_for_load_state()
        assert page.locator("main section:not(#field-mode)").count() == 2  # one per site
        page.screenshot(path=str(SCREENSHOTS / f"all-{device}-{language}.png"), full_page=True)

        page.locator("details.more-filters > summary").click()  # the filters fold on every page
        page.select_option('select[name="sector"]', "health")
        page.check('input[name="gaps"]')
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_load_state()
        sections = page.locator("main section:not(#field-mode)")
        assert sections.count() == 1
        assert "Kakuma Two" in sections.first.inner_text()
        assert sections.first.locator(".flag.danger").count() == 1
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[device]["width"]
        page.screenshot(path=str(SCREENSHOTS / f"gaps-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
    finally:
        context.close()
