"""Fixtures of the casework page tests: the casework fixtures, signed-in browsers, counts."""

from typing import Any

import pytest
from django.test import Client

from cases.models import (
    CaseAction,
    CaseApproval,
    CaseAssessment,
    CaseFollowUp,
    CaseNote,
    ProtectionCase,
    Referral,
)
from protection.models import AuditEvent
from tests.casework.conftest import (  # the casework fixtures, shared with these tests
    agreement,
    case,
    child,
    colleague,
    confidential_case,
    household,
    partner,
    partner_supervisor,
    partner_worker,
    person,
    second_supervisor,
    service,
    supervisor,
    worker,
)
from tests.pages.conftest import signed_in

__all__ = [
    "agreement",
    "case",
    "child",
    "colleague",
    "confidential_case",
    "household",
    "partner",
    "partner_supervisor",
    "partner_worker",
    "person",
    "second_supervisor",
    "service",
    "supervisor",
    "worker",
]


def casework_counts() -> dict[str, int]:
    """Return how many casework rows and audit events exist, to show that nothing was written."""
    return {
        "cases": ProtectionCase.objects.count(),
        "assessments": CaseAssessment.objects.count(),
        "actions": CaseAction.objects.count(),
        "follow_ups": CaseFollowUp.objects.count(),
        "notes": CaseNote.objects.count(),
        "referrals": Referral.objects.count(),
        "approvals": CaseApproval.objects.count(),
        "events": AuditEvent.objects.exclude(action__startswith="user.").count(),
    }


def body(response: Any) -> str:
    return response.content.decode()


@pytest.fixture
def worker_client(worker: Any) -> Client:
    return signed_in(worker)


@pytest.fixture
def supervisor_client(supervisor: Any) -> Client:
    return signed_in(supervisor)


@pytest.fixture
def partner_client(partner_worker: Any) -> Client:
    return signed_in(partner_worker)


@pytest.fixture
def other_case(other_officer: Any, other_site: Any) -> Any:
    """A case of another agency, in its own site, which nobody of the agency above may see."""
    from tests import factories
    from tests.casework.conftest import open_case

    registration = factories.register_household(
        actor=other_officer,
        site=other_site,
        members=[{"given_name": "Achol", "family_name": "Garang", "phone": "+211 955 555 555"}],
    )
    return open_case(other_officer, registration.members[0], summary="Other agency's case.")
