"""In the browser: one press changes the language, and a date is typed and read in that language
whatever the browser's own locale; on a desktop and a phone, in English, French and Arabic;
axe-core finds no violation on the form nor on the person's file.

The browser is set to another language than the one chosen on purpose: a native date picker
would follow the browser (mm/dd/yyyy in an American Chromium, even on a French page, whatever
the `lang` attribute says); the text input follows the page.

Screenshots go to test-results/dates/ (or DATES_SCREENSHOTS), for a person to look at.
"""

import datetime
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from cases.models import DisplacedPerson
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.factories import PASSWORD, UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("dates", "DATES_SCREENSHOTS")
BUTTON = {"en": "English", "fr": "Français", "ar": re.compile("^العرب")}  # Django: العربيّة
BROWSER_LOCALE = {"en": "fr-FR", "fr": "en-US", "ar": "en-US"}


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_officer_switches_language_in_one_press_and_types_a_date_in_it(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    person = register_household(actor=officer, site=site).members[0]
    context = browser.new_context(viewport=VIEWPORTS[device], locale=BROWSER_LOCALE[language])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill('[name="username"]', "officer")
        page.fill('[name="password"]', PASSWORD)
        page.locator('form button[type="submit"]').last.click()
        page.wait_for_url(re.compile(r"/dashboard/$"))
        status_url = f"{live_server.url}/registry/people/{person.pk}/status/"
        page.goto(status_url)

        page.get_by_role("button", name=BUTTON[language]).click()  # the one action
        # The press reloads the page: wait on the new document's root, through the navigation.
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert page.url == status_url
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

        field = page.locator('[name="effective_on"]')
        assert field.get_attribute("type") == "text"
        assert field.input_value() == f"{timezone.localdate():%d/%m/%Y}"
        day = timezone.localdate() - datetime.timedelta(days=9)
        page.select_option('[name="status"]', "departed")
        page.fill('[name="reason"]', "Left for Juba with family.")
        field.fill("31/02/2026")
        page.locator('main form button[type="submit"]').last.click()
        page.locator(".has-error").first.wait_for()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"error-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.locator('[name="effective_on"]').fill(f"{day:%d/%m/%Y}")
        page.locator('main form button[type="submit"]').last.click()
        page.wait_for_url(re.compile(rf"/registry/people/{person.pk}/$"))
        with translation.override(language):
            shown = formats.date_format(day, "SHORT_DATE_FORMAT")
        assert shown in page.locator("main").inner_text()
        page.screenshot(path=str(SCREENSHOTS / f"person-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert DisplacedPerson.objects.get(pk=person.pk).status_changed_on == day
    finally:
        context.close()
