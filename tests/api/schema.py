"""Check API responses against the OpenAPI schema the project publishes.

The schema is generated once, turned from OpenAPI 3.0 into JSON Schema 2020-12 (`nullable`
becomes a union with null) and made strict: an object documents all its properties, so a
field the schema does not mention fails the check, as does a status code it does not list.
"""

import functools
import json
import re
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from jsonschema import Draft202012Validator

API_PREFIX = "/api/v1/"
UNCHECKED_PREFIXES = ("/api/v1/schema/", "/api/v1/docs/", "/api/v1/redoc/")


@functools.cache
def openapi_schema() -> dict[str, Any]:
    """Return the OpenAPI document, as a client downloading /api/v1/schema/ would read it."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    document: dict[str, Any] = json.loads(OpenApiJsonRenderer().render(schema))
    return document


def _json_schema(node: Any) -> Any:
    """Return the OpenAPI 3.0 schema node as strict JSON Schema 2020-12."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()}
    if converted.get("type") == "object" and "properties" in converted:
        converted.setdefault("additionalProperties", False)
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _components() -> dict[str, Any]:
    converted: dict[str, Any] = _json_schema(openapi_schema().get("components", {}))
    return converted


@functools.cache
def _path_patterns() -> list[tuple[re.Pattern[str], str]]:
    patterns = []
    for template in openapi_schema()["paths"]:
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        patterns.append((re.compile(f"^{regex}$"), template))
    return patterns


def operation_for(method: str, path: str) -> dict[str, Any] | None:
    """Return the schema's operation for a request, or None if the schema has none."""
    for pattern, template in _path_patterns():
        if pattern.match(path):
            operation: dict[str, Any] | None = openapi_schema()["paths"][template].get(
                method.lower()
            )
            return operation
    return None


def schema_errors(method: str, path: str, status_code: int, body: Any) -> list[str]:
    """Return why a response does not match the schema (empty when it matches)."""
    operation = operation_for(method, path)
    if operation is None:
        if status_code in (401, 404, 405):
            # No such route or method (anonymous callers are refused before that is known).
            return []
        return [f"{method} {path} is not in the schema"]
    responses = operation.get("responses", {})
    documented = responses.get(str(status_code))
    if documented is None:
        return [f"{method} {path} answered {status_code}, not documented ({sorted(responses)})"]
    content = documented.get("content")
    if not content:
        return [] if body in (None, b"", "") else [f"{status_code} should have no body"]
    media = content.get("application/json")
    if media is None:
        return [f"{status_code} of {method} {path} documents no JSON body"]
    validator = Draft202012Validator(
        {**_json_schema(media["schema"]), "components": _components()},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<body>'}: {error.message}"
        for error in validator.iter_errors(body)
    ]


def assert_matches_schema(response: Any) -> None:
    """Fail unless the test client's response is what the schema documents."""
    request = response.wsgi_request
    path, method = request.path, request.method
    if not path.startswith(API_PREFIX) or path.startswith(UNCHECKED_PREFIXES):
        return
    if method in ("OPTIONS", "HEAD"):
        return
    if response.get("Content-Type", "").startswith("text/csv"):
        return  # HXL statistics: tests/exports read them with libhxl
    if response.get("Content-Type", "").startswith("image/"):
        return  # a photo: its bytes are checked by the tests that download it
    body: Any = None
    if response.content:
        body = json.loads(response.content)
    errors = schema_errors(method, path, response.status_code, body)
    assert not errors, f"{method} {path} -> {response.status_code} breaks the schema:\n" + (
        "\n".join(errors)
    )
