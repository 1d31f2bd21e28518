"""Fixtures for the admin tests: a platform superuser and an agency administrator."""

from typing import Any

import pytest

from protection.accounts.models import User
from tests import factories


@pytest.fixture
def superuser(db: None) -> Any:
    return User.objects.create_superuser(
        username="root", email="root@example.org", password=factories.PASSWORD
    )


@pytest.fixture
def agency_admin(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="admin", is_staff=True, username="mpu_admin")


@pytest.fixture
def admin_client_for(client: Any) -> Any:
    """Return a function that signs the test client in as a user."""

    def sign_in(user: Any) -> Any:
        client.force_login(user)
        return client

    return sign_in
