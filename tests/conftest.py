"""Shared fixtures: reference lists in every database test, agencies, users and sites."""

from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from protection import degradation
from protection.reference_data import load_reference_data
from tests import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load the reference lists once into the fresh test database."""
    with django_db_blocker.unblock():
        load_reference_data()


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
def _healthy_process() -> None:
    """Start every test with no pause on the broker or cache, and no degradation counted."""
    degradation.reset()


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
