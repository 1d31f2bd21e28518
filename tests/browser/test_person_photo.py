"""The person's photo in the browser: an officer uploads one from the person's page and sees it
there, on a desktop and a phone, in English and in Arabic; a file that is not an image is
refused with an error on the form; axe-core finds no violation on the form or the person.

Screenshots go to test-results/photo/ (or PHOTO_SCREENSHOTS), for a person to look at.
"""

import io
import random
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from cases.models import PersonPhoto
from protection.demo.work.identity import avatar_placeholder
from tests.browser.pages import VIEWPORTS, screenshots_dir
from tests.browser.session import sign_in_as
from tests.factories import UserFactory, register_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = screenshots_dir("photo", "PHOTO_SCREENSHOTS")


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_an_officer_uploads_a_photo_and_sees_it_on_the_person_page(
    live_server: Any, browser: Any, agency: Any, site: Any, device: str, language: str
) -> None:
    officer = UserFactory(agency=agency, role="protection_officer", username="officer")
    person = register_household(actor=officer, site=site).members[0]
    picture = avatar_placeholder(random.Random(7))
    context = browser.new_context(viewport=VIEWPORTS[device], locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in_as(page, live_server.url, officer)
        page.goto(f"{live_server.url}{person.get_absolute_url()}")
        page.locator(f'a[href="/registry/people/{person.pk}/photo/"]').click()
        page.wait_for_url(re.compile(r"/photo/$"))
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")

        page.set_input_files(
            '[name="photo"]',
            files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"not an image"}],
        )
        page.locator('form.page-form button[type="submit"]').click()
        page.wait_for_load_state()
        assert page.locator(".errorlist").count() >= 1
        assert not PersonPhoto.objects.exists()
        page.screenshot(path=str(SCREENSHOTS / f"error-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()

        page.set_input_files(
            '[name="photo"]',
            files=[{"name": "face.png", "mimeType": "image/png", "buffer": picture}],
        )
        page.locator('form.page-form button[type="submit"]').click()
        page.wait_for_url(re.compile(rf"/registry/people/{person.pk}/$"))
        image = page.locator("img.person-photo")
        assert image.get_attribute("alt")
        assert image.evaluate("element => element.complete && element.naturalWidth") == 240
        page.screenshot(path=str(SCREENSHOTS / f"person-{device}-{language}.png"), full_page=True)
        results = Axe().run(page)
        assert results.violations_count == 0, results.generate_report()
        assert PersonPhoto.objects.get().person_id == person.pk
    finally:
        context.close()


def test_the_avatar_placeholder_is_an_image() -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(avatar_placeholder(random.Random(1))))
    assert image.size == (240, 240)
