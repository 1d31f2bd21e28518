"""Language needs in the browser: an officer records them from the person's page, on a desktop
and a phone, in English and in Arabic; axe-core finds no violation on the form or the page.

Screenshots go to test-results/language-needs/ (or LANGUAGE_SCREENSHOTS), for a person to look at.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import Language, PersonLanguageNeeds
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.factories import UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("language-needs", "LANGUAGE_SCREENSHOTS")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_officer_records_language_needs_from_the_person_page(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    person = register_household(actor=officer, site=site).members[0]
    dinka = Language.objects.get(code="din")
    arabic = Language.objects.get(code="ar")
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        page.locator(f'a[href="/registry/people/{person.pk}/language/"]').click()
        page.wait_for_url(re.compile(r"/language/$"))
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

        page.check(f'input[name="languages"][value="{dinka.pk}"]')
        page.check(f'input[name="languages"][value="{arabic.pk}"]')
        page.select_option('[name="preferred_language"]', str(dinka.pk))
        page.check('[name="interpreter_needed"]')
        page.select_option('[name="interpreter_sex"]', "female")
        page.select_option('[name="literacy"]', "none")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"form-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.locator('form.page-form button[type="submit"]').click()
        page.wait_for_url(re.compile(rf"/registry/people/{person.pk}/$"))
        section = page.locator('section[aria-labelledby="language-title"]')
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"person-{device}-{language}.png"), full_page=True)
        assert (dinka.name_ar if language == "ar" else dinka.name) in section.inner_text()
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        needs = PersonLanguageNeeds.objects.get(person=person)
        assert needs.preferred_language_id == dinka.pk
        assert needs.interpreter_sex == "female"
    finally:
        context.close()
