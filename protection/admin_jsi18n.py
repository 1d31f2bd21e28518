"""The admin's JavaScript catalogue, completed with the words Django's own catalogue lacks.

The admin's two-list selector (filter_horizontal, SelectFilter2.js) takes its words from the
catalogue at admin:jsi18n: Django's `djangojs` domain of django.contrib.admin, in the language
LocaleMiddleware activated for that request. The language is right ("Available sites" shows in
Arabic), but Django 5 reworded the selector ("Choose all %s", "Remove selected %s", ...) and its
Arabic catalogue has not caught up, so those buttons and hints stayed English on Arabic pages.
The strings are marked here, so that they are translated with the project's own (the `django`
domain, in locale/), and the admin's catalogue view adds each translation Django's is missing.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext, gettext_noop
from django.views.i18n import JavaScriptCatalog

# The selector's words missing from Django's Arabic catalogue (SelectFilter2.js, Django 5.2);
# tests/admin/test_admin_jsi18n.py checks that the list covers every one of them.
SELECTOR_WORDS = (
    gettext_noop("Choose all %s"),
    gettext_noop("Choose selected %s"),
    gettext_noop("Remove selected %s"),
    gettext_noop("Remove all %s"),
    gettext_noop('Choose %s by selecting them and then select the "Choose" arrow button.'),
    gettext_noop('Remove %s by selecting them and then select the "Remove" arrow button.'),
    gettext_noop("Type into this box to filter down the list of selected %s."),
    gettext_noop("(click to clear)"),
)


class AdminJavaScriptCatalog(JavaScriptCatalog):
    """Django's admin catalogue, plus the project's translation of the words it lacks."""

    def get_catalog(self) -> dict[str, Any]:
        catalog: dict[str, Any] = super().get_catalog()
        for msgid in SELECTOR_WORDS:
            translated = gettext(msgid)
            if msgid not in catalog and translated != msgid:
                catalog[msgid] = translated
        return catalog


def admin_javascript_catalog(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> HttpResponseBase:
    """The admin site's i18n_javascript, with the completed catalogue."""
    view = AdminJavaScriptCatalog.as_view(packages=["django.contrib.admin"])
    return view(request)


def install() -> None:
    """Serve admin:jsi18n with the completed catalogue (called from ProtectionConfig.ready)."""
    admin.site.i18n_javascript = admin_javascript_catalog  # type: ignore[method-assign, assignment]
