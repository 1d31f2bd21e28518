"""The schema and the API docs need a sign-in or a token when API_DOCS_REQUIRE_LOGIN is on."""

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DOCS = ("/api/v1/docs/", "/api/v1/redoc/")


def test_the_setting_is_on_unless_dev_turns_it_off(settings: Any) -> None:
    assert settings.API_DOCS_REQUIRE_LOGIN is True  # what production and the tests inherit


def test_without_credentials_the_schema_is_refused_and_the_docs_ask_for_a_sign_in(
    api: Any, settings: Any
) -> None:
    settings.API_DOCS_REQUIRE_LOGIN = True
    schema = api.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 401
    assert "paths" not in schema.json()
    for path in DOCS:
        page = Client().get(path)
        assert page.status_code == 302, path
        assert page["Location"] == f"/accounts/login/?next={path}"


def test_a_partner_token_reads_the_schema_and_a_signed_in_user_the_docs(
    client_for: Any, role_user: Any, settings: Any
) -> None:
    settings.API_DOCS_REQUIRE_LOGIN = True
    partner = role_user("partner_api")
    schema = client_for(partner).get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    assert "/api/v1/cases/" in schema.json()["paths"]
    browser = Client()
    browser.force_login(partner)
    for path in DOCS:
        page = browser.get(path)
        assert page.status_code == 200, path
        assert "/api/v1/schema/" in page.content.decode()


def test_with_the_setting_off_anyone_reads_the_schema_and_the_docs(api: Any, settings: Any) -> None:
    settings.API_DOCS_REQUIRE_LOGIN = False
    assert api.get("/api/v1/schema/", {"format": "json"}).status_code == 200
    for path in DOCS:
        assert Client().get(path).status_code == 200, path
