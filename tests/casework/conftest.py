"""Casework fixtures: one agency's staff, a partner agency with a service, people, cases."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from cases.casework import plan, referrals, services
from cases.models import (
    CaseStatus,
    ProtectionCase,
    Referral,
    ReferralUrgency,
    SharedField,
)
from partners.models import (
    DataCategory,
    DataSharingAgreement,
    PartnerAgency,
    Sector,
    Service,
    SharingPurpose,
)
from tests import factories


def make_user(agency: Any, role: str, username: str) -> Any:
    return factories.UserFactory(agency=agency, role=role, username=username)


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
def partner(db: None) -> Any:
    return factories.AgencyFactory(name="Women's Health Partner", acronym="WHP")


@pytest.fixture
def partner_worker(partner: PartnerAgency) -> Any:
    return make_user(partner, "case_worker", "partner_worker")


@pytest.fixture
def partner_supervisor(partner: PartnerAgency) -> Any:
    return make_user(partner, "supervisor", "partner_supervisor")


@pytest.fixture
def service(partner: PartnerAgency) -> Service:
    return Service.objects.create(
        agency=partner,
        name="Clinical management of rape",
        sector=Sector.objects.get(code="gbv"),
        contact_email="cmr@example.org",
    )


def make_agreement(one: Any, two: Any, **overrides: Any) -> DataSharingAgreement:
    today = timezone.localdate()
    values: dict[str, Any] = {
        "agency_one": one,
        "agency_two": two,
        "purposes": [SharingPurpose.REFERRAL],
        "data_categories": list(DataCategory.values),
        "valid_from": today - datetime.timedelta(days=30),
        "valid_to": today + datetime.timedelta(days=365),
    }
    values.update(overrides)
    return DataSharingAgreement.objects.create(**values)


@pytest.fixture
def agreement(agency: Any, partner: PartnerAgency) -> DataSharingAgreement:
    # Recorded the other way round on purpose: an agreement covers both directions.
    return make_agreement(partner, agency)


@pytest.fixture
def household(officer: Any, site: Any) -> Any:
    """An IDP mother (head) and her 12-year-old daughter."""
    today = timezone.localdate()
    return factories.register_household(
        actor=officer,
        site=site,
        members=[
            {"consent_scope": "sharing", "phone": "+211 900 000 001"},
            {
                "given_name": "Nyakuoth",
                "relationship_to_head": "child",
                "date_of_birth": today.replace(year=today.year - 12, day=1),
                "confirm_not_duplicate": True,
            },
        ],
    )


@pytest.fixture
def person(household: Any) -> Any:
    return household.members[0]


@pytest.fixture
def child(household: Any) -> Any:
    return household.members[1]


def open_case(actor: Any, person: Any, **overrides: Any) -> ProtectionCase:
    values: dict[str, Any] = {
        "case_type": "general_protection",
        "risk_level": "medium",
        "summary": "Threatened by a neighbour.",
    }
    values.update(overrides)
    return services.case_open(actor=actor, person=person, **values)


@pytest.fixture
def case(worker: Any, person: Any) -> ProtectionCase:
    """A medium-risk, non-confidential general protection case assigned to `worker`."""
    return open_case(worker, person)


@pytest.fixture
def confidential_case(worker: Any, person: Any) -> ProtectionCase:
    return open_case(worker, person, case_type="gbv", risk_level="high")


def ready_for(actor: Any, case: ProtectionCase, target: str) -> None:
    """Do what the workflow asks before the case may move to `target`."""
    if target == CaseStatus.CASE_PLAN and not case.assessments.exists():
        plan.assessment_record(
            actor=actor, case=case, risks_identified="Threats at the water point."
        )
    if target == CaseStatus.IMPLEMENTATION and not case.actions.exists():
        plan.case_action_add(
            actor=actor,
            case=case,
            description="Accompany to the women's centre.",
            due_on=timezone.localdate() + datetime.timedelta(days=7),
            responsible_user=case.assigned_to,
        )


def advance(actor: Any, case: ProtectionCase, target: str) -> ProtectionCase:
    """Walk the case forward through the services, doing what each stage needs."""
    order: list[str] = [
        CaseStatus.REGISTERED,
        CaseStatus.ASSESSMENT,
        CaseStatus.CASE_PLAN,
        CaseStatus.IMPLEMENTATION,
        CaseStatus.FOLLOW_UP,
    ]
    case.refresh_from_db()
    while order.index(case.status) < order.index(target):
        following = order[order.index(case.status) + 1]
        ready_for(actor, case, following)
        case = services.case_transition(actor=actor, case=case, status=following)
    return case


def consent(**overrides: Any) -> referrals.Consent:
    values: dict[str, Any] = {
        "given_by": "person",
        "given_on": timezone.localdate(),
        "scope": [SharedField.FULL_NAME, SharedField.AGE, SharedField.PHONE, SharedField.SEX],
    }
    values.update(overrides)
    return referrals.Consent(**values)


def refer(actor: Any, case: ProtectionCase, service: Service, **overrides: Any) -> Referral:
    values: dict[str, Any] = {
        "reason": "Needs medical care within 72 hours.",
        "urgency": ReferralUrgency.URGENT,
        "shared_fields": [SharedField.FULL_NAME, SharedField.AGE, SharedField.PHONE],
        "consent": consent(),
    }
    values.update(overrides)
    return referrals.referral_create(actor=actor, case=case, service=service, **values)
