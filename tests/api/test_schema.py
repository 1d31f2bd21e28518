"""The OpenAPI schema builds without warnings, documents the errors, and is served with docs."""

import pytest
import yaml
from django.core.management import call_command

from tests.api.schema import openapi_schema, schema_errors


def test_schema_builds_without_warnings(tmp_path) -> None:
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert document["info"]["title"] == "Protection case management API"
    assert "/api/v1/persons/{id}/status/" in document["paths"]


def test_every_operation_documents_its_errors() -> None:
    paths = openapi_schema()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "429" in codes, (method, path)
            if path != "/api/v1/auth/token/":
                assert {"401", "403"} <= codes, (method, path)
            if "{id}" in path:
                assert "404" in codes, (method, path)
            if method in ("post", "patch") and path not in (
                "/api/v1/auth/logout/",
                "/api/v1/auth/logoutall/",
            ):
                assert "400" in codes, (method, path)


def test_registrations_document_the_duplicate_conflict() -> None:
    paths = openapi_schema()["paths"]
    for path in ("/api/v1/households/", "/api/v1/persons/"):
        conflict = paths[path]["post"]["responses"]["409"]
        schema = conflict["content"]["application/json"]["schema"]
        # The other 409 of every POST: a request under the same Idempotency-Key still runs.
        assert schema == {
            "oneOf": [
                {"$ref": "#/components/schemas/DuplicateConflict"},
                {"$ref": "#/components/schemas/IdempotencyError"},
            ]
        }


def test_only_json_is_accepted() -> None:
    body = openapi_schema()["paths"]["/api/v1/households/"]["post"]["requestBody"]
    assert set(body["content"]) == {"application/json"}


def test_schema_checker_catches_an_undocumented_field_and_status() -> None:
    me = {
        "id": 1,
        "username": "officer",
        "full_name": "",
        "email": "",
        "agency": None,
        "role": "analyst",
        "role_label": "Analyst",
        "allowed_actions": [],
        "preferred_language": "",
    }
    assert schema_errors("GET", "/api/v1/auth/me/", 200, me) == []
    assert schema_errors("GET", "/api/v1/auth/me/", 200, {**me, "password": "x"})
    assert schema_errors("GET", "/api/v1/auth/me/", 200, {**me, "role": "pirate"})
    assert schema_errors("GET", "/api/v1/auth/me/", 418, {"detail": "teapot"})
    assert schema_errors("GET", "/api/v1/nowhere/", 200, {})


@pytest.mark.django_db
def test_schema_and_docs_are_served(officer_api) -> None:
    schema = officer_api.get("/api/v1/schema/", {"format": "json"})
    docs = officer_api.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/api/v1/schema/" in page
    assert "drf_spectacular_sidecar/swagger-ui-dist" in page
