"""The browser policy: the Content-Security-Policy header and no-store for signed-in users.

The browser test (tests/browser/test_content_security_policy.py) shows the pages work under
the policy; these check the header itself, the templates it relies on, and the caching rule.
"""

import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from knox.models import AuthToken

from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)


def _directives(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


def test_every_page_sends_the_strict_policy(officer: Any) -> None:
    client = Client()
    client.force_login(officer)
    for response in (Client().get("/accounts/login/"), client.get("/registry/people/")):
        assert response.status_code == 200
        policy = _directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        for directive in ("script-src", "style-src"):
            assert policy[directive][0] == "'self'"
            assert "'unsafe-inline'" not in policy[directive]
            assert "'unsafe-eval'" not in policy[directive]


def test_the_api_docs_inline_start_carries_the_nonce_of_its_response(officer: Any) -> None:
    client = Client()
    client.force_login(officer)
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        response = client.get(path)
        nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
        assert nonce, path
        page = response.content.decode()
        inline = re.findall(r"<script( nonce=\"[^\"]*\")?>", page)
        assert inline and all(found == f' nonce="{nonce.group(1)}"' for found in inline), path
        assert "fonts.googleapis.com" not in page
        # A new response, a new nonce.
        again = client.get(path)
        assert nonce.group(1) not in again["Content-Security-Policy"]


# An inline script or style element without a nonce, an inline style or event handler
# attribute, a javascript: URL: each would be blocked by the policy.
_INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)(?![^>]*type=\"application/json\")[^>]*>"
    r"|<style(?![^>]*\bnonce=)[^>]*>"
    r"|\sstyle=\""
    r"|\son[a-z]+=\""
    r"|javascript:",
    re.IGNORECASE,
)


def test_no_template_has_inline_script_or_style_the_policy_would_block() -> None:
    templates = sorted((ROOT / "templates").rglob("*.html"))
    assert len(templates) > 50  # they really were read
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0).strip()}"
        for path in templates
        for match in _INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_signed_in_page_is_not_stored_and_static_files_still_are(officer: Any) -> None:
    client = Client()
    client.force_login(officer)
    page = client.get("/registry/people/")
    assert "no-store" in page["Cache-Control"]
    assert "private" in page["Cache-Control"]
    # Files that hold no personal data keep their own caching, even for a signed-in user.
    stylesheet = client.get("/static/css/app.css")
    assert stylesheet.status_code == 200
    assert "no-store" not in stylesheet.get("Cache-Control", "")


def test_an_api_answer_to_a_token_is_not_stored(officer: Any) -> None:
    _instance, token = AuthToken.objects.create(user=officer)
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    answer = client.get("/api/v1/auth/me/")
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    # Nothing for an anonymous caller, who is told only that credentials are missing.
    refused = Client().get("/api/v1/auth/me/")
    assert refused.status_code == 401
    assert "no-store" not in refused.get("Cache-Control", "")


def test_no_store_wins_over_what_a_view_said(officer: Any) -> None:
    """The alert inbox, a health page, any view that set its own caching: still no-store."""
    staff = factories.UserFactory.create(agency=officer.agency, role="admin", is_staff=True)
    client = Client()
    client.force_login(staff)
    for path in ("/inbox/", "/admin/", "/api/v1/auth/me/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response["Cache-Control"], path


def test_signing_out_asks_the_browser_to_clear_the_sites_cache_not_the_offline_queue(
    officer: Any,
) -> None:
    client = Client()
    client.force_login(officer)
    signed_in_page = client.get("/registry/people/")
    assert "Clear-Site-Data" not in signed_in_page
    out = client.post("/accounts/logout/")
    assert out.status_code == 302
    assert out["Clear-Site-Data"] == '"cache"'
    # An anonymous request, even to the sign-out page, clears nothing.
    assert "Clear-Site-Data" not in Client().post("/accounts/logout/")


def test_the_session_and_csrf_cookies_are_http_only_and_same_site(officer: Any) -> None:
    client = Client()
    client.get("/accounts/login/")
    client.post("/accounts/login/", {"username": officer.username, "password": PASSWORD})
    for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
        cookie = client.cookies[name]
        assert cookie["httponly"], name
        assert cookie["samesite"] == "Lax", name
