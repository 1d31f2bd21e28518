"""The admin's two-list selector (filter_horizontal) speaks the page's language.

Its words come from the admin's JavaScript catalogue (admin:jsi18n), fetched by a second
request in the language of the page. Django 5's Arabic catalogue lacks the selector's newer
words ("Choose all %s", ...); protection/admin_jsi18n.py adds the project's translations. The
test gives the page a catalogue of its own (tests/translations.py), so that it does not depend
on locale/, and reads the selector as a person would.
"""

from pathlib import Path
from typing import Any

import pytest

from tests.browser.session import sign_in_as
from tests.factories import UserFactory
from tests.translations import arabic_catalogue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("language", "choose_all", "available"),
    [("ar", "اختر كل", "المتوفرة"), ("en", "Choose all", "Available")],
)
def test_the_two_list_selector_speaks_the_page_language(
    live_server: Any,
    browser: Any,
    settings: Any,
    tmp_path: Path,
    language: str,
    choose_all: str,
    available: str,
) -> None:
    settings.LOCALE_PATHS = [
        arabic_catalogue(tmp_path, {"Choose all %s": "اختر كل %s"}),
        *settings.LOCALE_PATHS,
    ]
    admin = UserFactory(
        agency=None, role="", username="lang_admin", is_staff=True, is_superuser=True
    )
    context = browser.new_context(locale=language)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in_as(page, live_server.url, admin)
        page.goto(f"{live_server.url}/admin/camps/site/add/")
        assert page.locator("html").get_attribute("lang") == language
        chooser = page.locator(".selector-chooseall").first
        chooser.wait_for()
        # Django's own word (the language reached the catalogue) and the one added here.
        assert available in page.locator(".selector-available label").first.inner_text()
        assert chooser.inner_text().startswith(choose_all)
    finally:
        context.close()
