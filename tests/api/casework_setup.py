"""Fixtures of the casework API tests: an agency's case staff, a partner with a service, cases.

State is made through the casework services (tests.casework.conftest has the helpers), the
way a case worker would make it; the API tests then read and act through HTTP. Test modules
take the fixtures with `from tests.api.casework_setup import *`.
"""

import datetime
from collections.abc import Callable
from typing import Any

import pytest

from cases.models import ProtectionCase
from partners.models import DataSharingAgreement, PartnerAgency, Sector, Service
from tests import factories
from tests.api.conftest import SchemaCheckedClient
from tests.casework.conftest import make_agreement, make_user, open_case

__all__ = [
    "agreement",
    "case",
    "colleague",
    "confidential_case",
    "household",
    "partner",
    "partner_api",
    "partner_client",
    "partner_user",
    "person",
    "second_supervisor",
    "service",
    "supervisor",
    "supervisor_api",
    "worker",
    "worker_api",
]


@pytest.fixture
def worker(agency: Any) -> Any:
    return make_user(agency, "case_worker", "worker")


@pytest.fixture
def colleague(agency: Any) -> Any:
    """Another case worker of the same agency, not assigned to the cases."""
    return make_user(agency, "case_worker", "colleague")


@pytest.fixture
def supervisor(agency: Any) -> Any:
    return make_user(agency, "supervisor", "supervisor")


@pytest.fixture
def second_supervisor(agency: Any) -> Any:
    return make_user(agency, "supervisor", "supervisor2")


@pytest.fixture
def worker_api(worker: Any, client_for: Callable[[Any], SchemaCheckedClient]) -> Any:
    return client_for(worker)


@pytest.fixture
def supervisor_api(supervisor: Any, client_for: Callable[[Any], SchemaCheckedClient]) -> Any:
    return client_for(supervisor)


@pytest.fixture
def partner(db: None) -> Any:
    return factories.AgencyFactory(name="Women's Health Partner", acronym="WHP")


@pytest.fixture
def partner_user(partner: PartnerAgency) -> Any:
    """The partner's system: a machine client with the partner_api role."""
    return make_user(partner, "partner_api", "whp_system")


@pytest.fixture
def partner_api(partner_user: Any, client_for: Callable[[Any], SchemaCheckedClient]) -> Any:
    return client_for(partner_user)


@pytest.fixture
def partner_client(
    partner: PartnerAgency, client_for: Callable[[Any], SchemaCheckedClient]
) -> Callable[[str], SchemaCheckedClient]:
    """Return a factory of clients of partner staff with the given role."""

    def make(role: str) -> SchemaCheckedClient:
        return client_for(make_user(partner, role, f"whp_{role}"))

    return make


@pytest.fixture
def service(partner: PartnerAgency) -> Service:
    return Service.objects.create(
        agency=partner,
        name="Clinical management of rape",
        sector=Sector.objects.get(code="gbv"),
        contact_email="cmr@example.org",
    )


@pytest.fixture
def agreement(agency: Any, partner: PartnerAgency) -> DataSharingAgreement:
    return make_agreement(partner, agency)


@pytest.fixture
def household(officer: Any, site: Any) -> Any:
    """An IDP woman (head, consent to sharing) and her 12-year-old daughter."""
    return factories.register_household(
        actor=officer,
        site=site,
        members=[
            {"consent_scope": "sharing", "phone": "+211 900 000 001"},
            {
                "given_name": "Nyakuoth",
                "relationship_to_head": "child",
                "date_of_birth": datetime.date(2014, 3, 1),
                "confirm_not_duplicate": True,
            },
        ],
    )


@pytest.fixture
def person(household: Any) -> Any:
    return household.members[0]


@pytest.fixture
def case(worker: Any, person: Any) -> ProtectionCase:
    """A medium-risk, non-confidential general protection case assigned to `worker`."""
    return open_case(worker, person)


@pytest.fixture
def confidential_case(worker: Any, person: Any) -> ProtectionCase:
    return open_case(worker, person, case_type="gbv", risk_level="high")
