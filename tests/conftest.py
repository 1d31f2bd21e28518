"""Shared fixtures: reference lists in every database test, agencies, users and sites."""

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.test.utils import setup_databases, teardown_databases
from django.utils import timezone

from protection import degradation
from protection.reference_data import load_reference_data
from tests import database, factories
from tests.second_factor import verify_session


def pytest_configure(config: pytest.Config) -> None:
    """Collect garbage after 10,000 new objects instead of 700.

    A run keeps some 300,000 objects alive (Django, the app, the collected tests), and the
    default threshold made the collector walk them thousands of times: 8 % of a test-fast run's
    CPU. The tests do not depend on when garbage is freed.
    """
    gc.set_threshold(10_000)


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Set up the test database as a copy of the migrated template; load the reference lists.

    This replaces pytest-django's own setup (and so its --reuse-db and --create-db): the copy
    is always fresh, and dropped at the end of the run.
    """
    verbosity = request.config.option.verbose
    worker = getattr(request.config, "workerinput", {}).get("workerid")
    name = database.test_database_name()
    with django_db_blocker.unblock():
        database.copy_from_template(
            base_name=name.removesuffix(f"_{worker}") if worker else name, verbosity=verbosity
        )
        # Django finds the copy migrated (keepdb) and takes it as the test database.
        config = setup_databases(
            verbosity=verbosity, interactive=False, keepdb=True, serialized_aliases=set()
        )
        load_reference_data()
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=verbosity)


@pytest.fixture(autouse=True)
def _reference_lists(request: pytest.FixtureRequest) -> None:
    """Reload reference lists after a transactional test has flushed them."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or bool(marker and marker.kwargs.get("transaction"))
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        load_reference_data()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Start every test in the default language, whatever an earlier one activated.

    A request or a task activates its user's language for its thread; a test that renders in
    Arabic would otherwise leave the next test's messages in Arabic, depending on the order.
    """
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _healthy_process() -> None:
    """Start every test with no pause on the broker or cache, and no degradation counted."""
    degradation.reset()


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Start every test with an empty in-process cache (cached statistics, throttles).

    A Redis cache (CACHE_URL) is left alone: its database may be shared.
    """
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Let force_login stand for a whole sign-in, second factor included.

    Tests of the pages behind the rule need a session that passed it; a test marked
    `second_factor_real` gets the bare force_login, as tests/accounts/test_second_factor.py
    does to prove that an unverified session is held at the code or enrolment page.
    """
    if request.node.get_closest_marker("second_factor_real"):
        return
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        original(self, user, backend)
        verify_session(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def agency(db: None) -> Any:
    return factories.AgencyFactory(name="Mission Protection Unit", acronym="MPU")


@pytest.fixture
def other_agency(db: None) -> Any:
    return factories.AgencyFactory(name="Other Relief", acronym="ORL")


@pytest.fixture
def site(agency: Any) -> Any:
    return factories.SiteFactory(managing_agency=agency, code="KAK-01", name="Kakuma One")


@pytest.fixture
def other_site(other_agency: Any) -> Any:
    return factories.SiteFactory(managing_agency=other_agency, code="OTH-01", name="Elsewhere")


@pytest.fixture
def officer(agency: Any) -> Any:
    return factories.UserFactory(agency=agency, role="protection_officer", username="officer")


@pytest.fixture
def other_officer(other_agency: Any) -> Any:
    return factories.UserFactory(
        agency=other_agency, role="protection_officer", username="other_officer"
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    """Say so when the run's clock is moved (`make test-future`)."""
    days = getattr(settings, "CLOCK_SHIFT_DAYS", 0)
    if not days:
        return None
    return f"clock moved {days:+d} days: today is {timezone.localdate().isoformat()}"
