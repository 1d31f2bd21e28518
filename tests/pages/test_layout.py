"""The layout every page shares: navigation by role, languages and direction, the error pages."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

NAV_LINKS = {
    "sites": "camps:list",
    "people": "cases:person_list",
    "households": "cases:household_list",
    "register": "cases:household_register",
}


def _nav(body: str) -> set[str]:
    nav = body.split('<nav class="main-nav"', 1)[1].split("</nav>", 1)[0]
    return {name for name, url in NAV_LINKS.items() if f'href="{reverse(url)}"' in nav}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("protection_officer", {"sites", "people", "households", "register"}),
        ("case_worker", {"sites", "people", "households", "register"}),
        ("partner_api", {"sites", "people", "households"}),
        ("analyst", {"sites"}),
    ],
)
def test_navigation_offers_what_the_role_may_open(role, expected, agency, site):
    user = factories.UserFactory(agency=agency, role=role, first_name="Grace", last_name="Ade")
    body = signed_in(user).get(reverse("camps:list")).content.decode()

    assert _nav(body) == expected
    assert "Grace Ade" in body
    assert "(MPU)" in body  # the user's agency
    assert reverse("password_change") in body
    assert f'action="{reverse("logout")}"' in body


def test_home_sends_each_role_where_its_work_starts(officer_client, analyst):
    assert officer_client.get(reverse("home"))["Location"] == reverse("monitoring:home")
    assert signed_in(analyst).get(reverse("home"))["Location"] == reverse("monitoring:mission")


def test_page_is_light_accessible_and_self_contained(officer_client):
    body = officer_client.get(reverse("camps:list")).content.decode()

    assert '<meta name="viewport"' in body
    assert '<a class="skip-link" href="#main">' in body
    assert '<main id="main"' in body
    assert body.count('rel="stylesheet"') == 1
    assert not re.search(r'(src|href)="(https?:)?//', body)  # no CDN, no web fonts
    assert '<html lang="en" dir="ltr">' in body


def test_stylesheet_uses_logical_properties_only():
    css = (Path(settings.BASE_DIR) / "static" / "css" / "app.css").read_text()
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)|(?<![-\w])(?:left|right)\s*:|"
        r"text-align:\s*(?:left|right)|float:\s*(?:left|right)",
        css,
    )
    assert physical == []


def test_arabic_from_the_browser_lays_the_page_right_to_left(officer_client):
    response = officer_client.get(reverse("camps:list"), HTTP_ACCEPT_LANGUAGE="ar")
    assert '<html lang="ar" dir="rtl">' in response.content.decode()


def test_language_switcher_remembers_arabic_then_french(officer_client):
    response = officer_client.post(
        reverse("set_language"), {"language": "ar", "next": reverse("camps:list")}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("camps:list")
    assert 'dir="rtl"' in officer_client.get(reverse("camps:list")).content.decode()

    officer_client.post(reverse("set_language"), {"language": "fr"})
    assert (
        '<html lang="fr" dir="ltr">' in officer_client.get(reverse("camps:list")).content.decode()
    )


def test_language_switcher_is_offered_with_each_language_in_its_own_name(client):
    body = client.get(reverse("login")).content.decode()
    assert f'action="{reverse("set_language")}"' in body
    for code in ("en", "fr", "ar"):
        assert f'name="language" value="{code}" lang="{code}"' in body


def test_forbidden_and_missing_pages_explain_themselves(analyst, officer_client):
    forbidden = signed_in(analyst).get(reverse("cases:person_list"))
    assert forbidden.status_code == 403
    assert "Your role does not allow this" in forbidden.content.decode()

    missing = officer_client.get(reverse("cases:person_detail", args=[987654]))
    assert missing.status_code == 404
    assert "not shared with your agency" in missing.content.decode()


def test_an_expired_form_explains_that_nothing_was_saved(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)

    response = client.post(reverse("cases:household_register"), {})

    assert response.status_code == 403
    assert "Nothing was saved" in response.content.decode()
