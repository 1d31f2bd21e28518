"""Every API operation and every page route has a row in a role matrix.

The operations come from the OpenAPI schema drf-spectacular generates, the page routes from
Django's URL resolver; the rows from the matrices the permission tests run. A route added
without a row fails here, by name, and so does a row whose route is gone.
"""

import re
from collections.abc import Iterator

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import SchemaGenerator

from tests.api import test_permissions as api_matrix
from tests.api import test_permissions_alerts as api_alerts_matrix
from tests.casepages import test_permissions as casework_page_matrix
from tests.monitoring import test_permissions as monitoring_page_matrix
from tests.pages import test_permissions as registry_page_matrix
from tests.pages import test_permissions_routes as other_page_matrix

API_PREFIX = "/api/v1/"
METHODS = {"get", "post", "put", "patch", "delete"}

# URL prefixes that are not pages of the application's own, each with the reason.
NOT_PAGES = {
    # The Django admin: staff only, guarded by the admin's own permissions (tests/admin).
    "admin/": "Django admin",
    # The API, the schema and its documentation: the API operations are checked below,
    # from the schema; the schema and the docs pages describe the API and hold no records.
    "api/v1/": "API",
    # Django's set_language view: switches the language for anyone, signed in or not.
    "i18n/": "language switch",
    # The health check of the load balancer and docker compose: anonymous on purpose.
    "healthz": "health check",
    # Liveness (anonymous) and the pipeline's health for monitors: a token or an administrator,
    # every role against each in tests/health/test_views.py.
    "health/": "pipeline health",
}


def _template(path: str) -> str:
    """Return the path with every parameter written {id}, as the schema writes them."""
    return re.sub(r"\{[^}]+\}", "{id}", path)


def schema_operations() -> set[tuple[str, str]]:
    """Return (method, path) of every operation the OpenAPI schema documents."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), _template(path))
        for path, item in schema["paths"].items()
        for method in item
        if method in METHODS
    }


def api_rows() -> set[tuple[str, str]]:
    """Return (method, path) of every row of the API permission matrices."""
    rows = [*api_matrix.MATRIX, *api_alerts_matrix.MATRIX]
    return {(method, _template(API_PREFIX + endpoint)) for method, endpoint, _ in rows}


def _walk(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else ""
            yield prefix + str(entry.pattern), name


def page_routes() -> dict[str, str]:
    """Return {route: URL name} of every page route (unnamed ones map to "")."""
    return {
        route: name
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith(tuple(NOT_PAGES))
    }


def page_rows() -> set[str]:
    """Return the URL names of every row of the page permission matrices."""
    return (
        set(registry_page_matrix.EVERY_PAGE)
        | set(casework_page_matrix.EVERY_PAGE)
        | {row.name for row in other_page_matrix.ROWS}
        | {row.name for row in monitoring_page_matrix.ROWS}
    )


def test_every_api_operation_has_a_row_in_a_role_matrix() -> None:
    operations = schema_operations()
    assert len(operations) > 50  # the schema really was read

    missing = sorted(operations - api_rows())

    assert not missing, f"API operations in no role matrix (add rows): {missing}"


def test_every_api_matrix_row_names_an_operation_of_the_schema() -> None:
    paths = {path for _method, path in schema_operations()}
    stale = sorted(row for row in api_rows() if row[1] not in paths)
    assert not stale, f"matrix rows for paths the API does not have: {stale}"


def test_every_page_route_has_a_row_in_a_role_matrix() -> None:
    routes = page_routes()
    assert "registry/people/" in routes  # the resolver really was walked
    unnamed = sorted(route for route, name in routes.items() if not name)
    missing = sorted(set(routes.values()) - page_rows() - {""})

    assert not unnamed, f"page routes without a name cannot be in a matrix: {unnamed}"
    assert not missing, f"page routes in no role matrix (add rows): {missing}"


def test_every_page_matrix_row_names_a_route() -> None:
    stale = sorted(page_rows() - set(page_routes().values()))
    assert not stale, f"matrix rows for pages that do not exist: {stale}"
