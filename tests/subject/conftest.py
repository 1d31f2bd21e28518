"""Fixtures of the data-subject report tests: a person with a case, a referral, an incident."""

from typing import Any

import pytest

from cases.models import ProtectionCase, Referral
from tests.api.casework_setup import *  # noqa: F403 - the casework fixtures
from tests.casework.conftest import advance, open_case, refer
from tests.incidents.conftest import report

PURPOSE = "subject_request"


@pytest.fixture
def subject_case(worker: Any, person: Any) -> ProtectionCase:
    """A case on the person with an assessment and a safety plan, assessed by `worker`."""
    from cases.casework import plan

    case = open_case(worker, person, summary="Threatened by a neighbour at the water point.")
    case = advance(worker, case, "assessment")
    plan.assessment_record(
        actor=worker,
        case=case,
        risks_identified="Threats at the water point.",
        immediate_safety_concern=True,
        safety_plan="Fetch water with her sister, mornings only.",
    )
    return case


@pytest.fixture
def subject_referral(
    worker: Any, subject_case: ProtectionCase, service: Any, agreement: Any
) -> Referral:
    advance(worker, subject_case, "case_plan")
    return refer(worker, subject_case, service)


@pytest.fixture
def subject_incident(officer: Any, site: Any, person: Any) -> Any:
    return report(officer, site=site, victims=[person]).incident
