"""{% export_button "people" %}: a list page's Export button, carrying the list's filters.

Shown only when the user's role may export something of the list (figures, or one row per
record); the export page itself checks again.
"""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from protection import access
from protection.datasets import dataset
from protection.exports import may_export_individually
from protection.roles import Action

register = template.Library()


@register.simple_tag(takes_context=True)
def export_button(context: dict[str, Any], name: str) -> SafeString | str:
    request = context.get("request")
    if request is None:
        return ""
    data = dataset(name)
    user = request.user
    figures = data.figures is not None and access.can(user, Action.VIEW_AGGREGATES)
    if not figures and not may_export_individually(user, data):
        return ""
    names = set(data.filterset.base_filters)
    query = [("dataset", name)] + [
        (key, value) for key, value in request.GET.items() if key in names and value
    ]
    return format_html(
        '<a class="button secondary" href="{}?{}">{}</a>',
        reverse("exports:new"),
        urlencode(query),
        gettext("Export"),
    )
