"""The admin's JavaScript catalogue (admin:jsi18n) carries the two-list selector's words.

Django 5 reworded its selector (filter_horizontal) and its Arabic `djangojs` catalogue lacks the
new words, so they stayed English on Arabic pages; protection/admin_jsi18n.py adds the project's
translation of each (see tests/browser/test_admin_languages.py for the page itself).
"""

import gettext
import json
import re
from pathlib import Path
from typing import Any

import django.contrib.admin
from django.urls import reverse

from protection.admin_jsi18n import SELECTOR_WORDS
from tests.translations import arabic_catalogue

ADMIN = Path(django.contrib.admin.__file__).parent


def test_the_list_names_every_selector_word_django_lacks_in_arabic() -> None:
    script = (ADMIN / "static/admin/js/SelectFilter2.js").read_text(encoding="utf-8")
    asked = {
        text.replace('\\"', '"')
        for _q, text in re.findall(r"\bgettext\((['\"])(.*?)(?<!\\)\1", script)
    }
    with (ADMIN / "locale/ar/LC_MESSAGES/djangojs.mo").open("rb") as mo:
        shipped = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    assert asked and asked - set(shipped) <= set(SELECTOR_WORDS)


def test_the_catalogue_adds_the_projects_translation_of_the_missing_words(
    admin_client_for: Any, superuser: Any, settings: Any, tmp_path: Path
) -> None:
    settings.LOCALE_PATHS = [
        arabic_catalogue(tmp_path, {"Choose all %s": "اختر كل %s"}),
        *settings.LOCALE_PATHS,
    ]
    client = admin_client_for(superuser)
    url = reverse("admin:jsi18n")

    arabic = client.get(url, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f'"Choose all %s": {json.dumps("اختر كل %s")}' in arabic
    assert '"Available %s"' in arabic  # Django's own words are still there
    assert json.dumps("اختر كل %s") not in english
