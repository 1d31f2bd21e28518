"""Identity documents in the browser: an officer adds a passport from the person's page and
finds the person by its number, on a desktop and a phone, in English and in Arabic; axe-core
finds no violation on the form.

Screenshots go to test-results/identifiers/ (or IDENTIFIER_SCREENSHOTS), for a person to look at.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from camps.models import Country
from cases.models import PersonIdentifier
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.factories import UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("identifiers", "IDENTIFIER_SCREENSHOTS")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_officer_adds_a_passport_and_finds_the_person_by_its_number(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    person = register_household(actor=officer, site=site).members[0]
    country = Country.objects.get(code="SSD")
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        page.locator(f'a[href="/registry/people/{person.pk}/identifiers/add/"]').click()
        page.wait_for_url(re.compile(r"/identifiers/add/$"))
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

        page.check('input[name="kind"][value="document"]')
        page.select_option('[name="document_type"]', "passport")
        page.select_option('[name="issuing_country"]', str(country.pk))
        page.fill('[name="number"]', "R0 5512 903")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"form-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.locator('form.page-form button[type="submit"]').click()
        page.wait_for_url(re.compile(rf"/registry/people/{person.pk}/$"))
        section = page.locator('section[aria-labelledby="identifiers-title"]')
        assert "R0 5512 903" in section.inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"person-{device}-{language}.png"), full_page=True)
        assert PersonIdentifier.objects.get().person_id == person.pk

        page.goto(f"{live_server.url}/registry/people/?document=r05512903")
        assert person.registration_number in page.locator("main").inner_text()
    finally:
        context.close()
