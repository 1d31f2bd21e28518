"""Fixtures for the API tests: clients that check every answer against the schema, and users."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from protection.accounts.models import Role
from tests import factories
from tests.api.schema import assert_matches_schema


class SchemaCheckedClient(APIClient):
    """An API client that fails the test when an answer does not match the OpenAPI schema."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        response = super().request(*args, **kwargs)
        assert_matches_schema(response)
        return response

    def login_with_token(self, user: Any) -> str:
        """Authenticate further requests with a fresh knox token of `user`; return it."""
        _instance, token = AuthToken.objects.create(user=user)
        self.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        return token


@pytest.fixture(autouse=True)
def _fresh_throttles() -> Iterator[None]:
    """Start every test with empty throttle histories (they live in the cache)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api() -> SchemaCheckedClient:
    """Return an anonymous client."""
    return SchemaCheckedClient()


@pytest.fixture
def client_for(db: None) -> Callable[[Any], SchemaCheckedClient]:
    """Return a factory of clients authenticated with a token of the given user."""

    def make(user: Any) -> SchemaCheckedClient:
        client = SchemaCheckedClient()
        client.login_with_token(user)
        return client

    return make


@pytest.fixture
def role_user(agency: Any) -> Callable[[str], Any]:
    """Return a factory of users of the agency with the given role."""

    def make(role: str) -> Any:
        return factories.UserFactory(agency=agency, role=role, username=f"{role}_user")

    return make


@pytest.fixture
def officer_api(officer: Any, client_for: Callable[[Any], SchemaCheckedClient]) -> Any:
    """Return a client of the protection officer of the agency."""
    return client_for(officer)


@pytest.fixture
def admin_user(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role=Role.ADMIN, username="agency_admin")


@pytest.fixture
def admin_api(admin_user: Any, client_for: Callable[[Any], SchemaCheckedClient]) -> Any:
    return client_for(admin_user)


@pytest.fixture
def person(officer: Any, site: Any) -> Any:
    """A person registered by the officer's agency (the first member of a new household)."""
    return factories.register_household(actor=officer, site=site).members[0]


@pytest.fixture
def foreign_person(other_officer: Any, other_site: Any) -> Any:
    """A person registered by another agency: every operation on it must answer 404."""
    return factories.register_household(actor=other_officer, site=other_site).members[0]
