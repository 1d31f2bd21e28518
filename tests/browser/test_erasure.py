"""Erasure on request in the browser: a supervisor erases a person from their page, on a desktop
and a phone, in English and in Arabic; axe-core finds no violation on the form.

Screenshots go to test-results/erasure/ (or ERASURE_SCREENSHOTS), for a person to look at.
"""

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import DisplacedPerson
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.factories import UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("erasure", "ERASURE_SCREENSHOTS")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_supervisor_erases_a_person_on_request(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    supervisor = UserFactory(agency=agency, role="supervisor", username="supervisor")
    person = register_household(actor=officer, site=site).members[0]
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, live_server.url, supervisor)
        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        page.locator(f'a[href="/registry/people/{person.pk}/erase/"]').click()
        page.wait_for_url(re.compile(r"/erase/$"))
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

        page.select_option('[name="reason"]', "subject_request")
        page.fill('[name="confirm"]', person.registration_number)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"form-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.locator('form.page-form button[type="submit"]').click()
        page.wait_for_url(re.compile(rf"/registry/people/{person.pk}/$"))
        page.screenshot(path=str(SCREENSHOTS / f"done-{device}-{language}.png"), full_page=True)
        assert "Amina" not in page.locator("main").inner_text()
        assert DisplacedPerson.objects.get(pk=person.pk).anonymised_on is not None
    finally:
        context.close()
