"""seed_demo gives the mission its work: directory, agreements, policies, cases, incidents, alerts.

Also the escalation-policy service the demo configures its policies with (its home would be
tests/incidents; it is here so that the demo's test run covers it).
"""

import datetime
import io
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.casework.referrals import Consent, referral_create
from cases.casework.services import case_open
from cases.models import (
    ApprovalStatus,
    CaseAction,
    CaseApproval,
    CaseAssessment,
    CaseFollowUp,
    CaseStatus,
    CaseType,
    ClosureReason,
    DisplacedPerson,
    ProtectionCase,
    Referral,
    ReferralStatus,
)
from incidents.drills.selectors import drill_report
from incidents.models import (
    Alert,
    AlertKind,
    AlertStatus,
    Drill,
    EscalationPolicy,
    GbvDesignation,
    Incident,
    PolicyTrigger,
    TierRecipient,
)
from incidents.policies.selectors import tier_users
from partners.models import DataSharingAgreement, PartnerAgency, Service, SharingPurpose
from protection import access
from protection.accounts.models import Role, User
from protection.demo.work.directory import (
    EARLY_WARNING_POLICY,
    GRAVE_VIOLATIONS_POLICY,
    SERIOUS_POLICY,
    SERVICES,
    agency_policy_name,
)
from protection.demo.work.incidents import INCIDENTS
from protection.models import AuditEvent
from protection.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryStatus,
    Notification,
)

# Enough people for every stage of the workflow and every kind of referral.
HOUSEHOLDS = 40


def seed(households: int = HOUSEHOLDS) -> str:
    out = io.StringIO()
    call_command("seed_demo", households=households, force=True, stdout=out)
    return out.getvalue()


def work_counts() -> dict[str, int]:
    models: dict[str, Any] = {
        "services": Service,
        "agreements": DataSharingAgreement,
        "policies": EscalationPolicy,
        "recipients": TierRecipient,
        "designations": GbvDesignation,
        "cases": ProtectionCase,
        "assessments": CaseAssessment,
        "actions": CaseAction,
        "follow_ups": CaseFollowUp,
        "approvals": CaseApproval,
        "referrals": Referral,
        "incidents": Incident,
        "alerts": Alert,
        "deliveries": Delivery,
        "notifications": Notification,
        "audit": AuditEvent,
    }
    return {name: model.objects.count() for name, model in models.items()}


def user(username: str) -> User:
    return User.objects.get(username=username)


@pytest.mark.django_db
def test_the_demo_has_casework_and_incidents_and_a_second_run_adds_nothing(
    demo_seeded: str,
) -> None:
    output = demo_seeded
    first = work_counts()
    assert "Demo work: 8 services, 2 data-sharing agreements, 6 escalation policies" in output

    again = seed()

    assert work_counts() == first
    assert "Demo work" not in again


@pytest.mark.django_db
def test_each_agency_lists_its_services_where_it_works_and_the_mission_shares_data(
    demo_seeded: str,
) -> None:
    assert Service.objects.count() == len(SERVICES)
    for agency in PartnerAgency.objects.all():
        officer = User.objects.get(agency=agency, role=Role.PROTECTION_OFFICER)
        services = list(agency.services.prefetch_related("sites"))
        assert 2 <= len(services) <= 3, agency
        for service in services:
            assert service.accepting_referrals and service.active
            assert set(service.sites.all()) == set(access.sites_for(officer))

    today = timezone.localdate()
    pairs = set()
    for agreement in DataSharingAgreement.objects.select_related("agency_one", "agency_two"):
        pairs.add(frozenset({agreement.agency_one.acronym, agreement.agency_two.acronym}))
        assert SharingPurpose.REFERRAL in agreement.purposes
        assert agreement.valid_from < today < agreement.valid_to
    assert pairs == {frozenset({"UNMUK", "UNDRO"}), frozenset({"UNMUK", "RRN"})}


@pytest.mark.django_db
def test_cases_stand_at_every_stage_of_the_workflow(demo_seeded: str) -> None:
    cases = list(ProtectionCase.objects.select_related("owning_agency"))
    assert 20 <= len(cases) <= 40
    assert {case.owning_agency.acronym for case in cases} == {"UNMUK", "UNDRO", "RRN"}
    statuses = Counter(case.status for case in cases)
    assert set(statuses) == set(CaseStatus.values), statuses
    for case in cases:
        assert case.assessments.exists() == (case.status != CaseStatus.REGISTERED)
        if case.case_type in (CaseType.GBV, CaseType.CHILD_PROTECTION):
            assert case.confidential
        assert case.opened_on >= timezone.localdate() - datetime.timedelta(days=56)
    # Women with an SV code get GBV cases, children with SC or CR codes child-protection ones;
    # a small registry may have no survivor among its women.
    types = {case.case_type for case in cases}
    assert CaseType.CHILD_PROTECTION in types
    survivors = DisplacedPerson.objects.filter(sex="female", specific_needs__code__startswith="SV")
    assert (CaseType.GBV in types) == survivors.exists()

    overdue = [action for action in CaseAction.objects.all() if action.is_overdue]
    assert 1 <= len(overdue) <= 4
    assert CaseFollowUp.objects.exists()
    pending = CaseApproval.objects.get(kind="closure", status=ApprovalStatus.PENDING)
    assert pending.case.status == CaseStatus.FOLLOW_UP
    closed = ProtectionCase.objects.filter(status=CaseStatus.CLOSED)
    assert closed.filter(closure_reason=ClosureReason.DURABLE_SOLUTION).exists()
    # Closing with a durable solution gave the person the matching registry status.
    for case in closed.filter(closure_reason=ClosureReason.DURABLE_SOLUTION):
        assert case.primary_person.status != "active"


@pytest.mark.django_db
def test_referrals_went_to_partners_with_consent_and_one_is_overdue(demo_seeded: str) -> None:
    referrals = list(Referral.objects.select_related("from_agency", "to_agency"))
    statuses = Counter(referral.status for referral in referrals)
    assert statuses[ReferralStatus.PENDING] >= 2
    assert statuses[ReferralStatus.ACCEPTED] >= 1
    assert sum(referral.is_overdue for referral in referrals) == 1
    assert any(r.from_agency_id != r.to_agency_id for r in referrals)
    for referral in referrals:
        assert referral.consent_basis == "consent"
        assert referral.sent_at is not None and referral.shared_data
        assert referral.actions.exists()
        pair = {referral.from_agency.acronym, referral.to_agency.acronym}
        assert pair != {"UNDRO", "RRN"}


@pytest.mark.django_db
def test_a_referral_between_undro_and_rrn_is_refused_for_want_of_an_agreement(
    demo_seeded: str,
) -> None:
    officer = user("undro.officer")
    service = Service.objects.filter(agency__acronym="RRN").order_by("pk").first()
    assert service is not None
    person = (
        access.people_for(officer)
        .filter(site__in=service.sites.all(), status="active")
        .order_by("pk")
        .first()
    )
    assert person is not None
    case = case_open(
        actor=officer, person=person, case_type=CaseType.LEGAL_ASSISTANCE, risk_level="low"
    )

    with pytest.raises(ValidationError, match="data-sharing agreement"):
        referral_create(
            actor=officer,
            case=case,
            service=service,
            reason="Needs psychosocial support.",
            urgency="routine",
            shared_fields=["full_name", "age"],
            consent=Consent(
                given_by="person", given_on=timezone.localdate(), scope=["full_name", "age"]
            ),
        )

    assert not Referral.objects.filter(case=case).exists()


@pytest.mark.django_db
def test_incidents_raised_alerts_that_reached_their_recipients(demo_seeded: str) -> None:
    # The demo drill's simulated incidents are the drill's (test_the_demo_drill_has_a_report).
    assert Incident.objects.filter(drill__isnull=True).count() == len(INCIDENTS)
    incidents = list(Incident.objects.filter(drill__isnull=True).select_related("incident_type"))
    taxonomies = Counter(incident.incident_type.taxonomy for incident in incidents)
    assert taxonomies["general"] > taxonomies["gbv"] > taxonomies["grave_violation"] >= 3
    oldest = min(incident.occurred_at for incident in incidents)
    assert timezone.now() - oldest < datetime.timedelta(weeks=8)

    alerts = Alert.objects.exclude(incident__drill__isnull=False).select_related("policy", "site")
    statuses = Counter(alert.status for alert in alerts)
    assert statuses[AlertStatus.ACKNOWLEDGED] >= 5
    assert statuses[AlertStatus.OPEN] >= 3
    agency_policies = {agency_policy_name(agency) for agency in PartnerAgency.objects.all()}
    assert {alert.policy.name for alert in alerts if alert.policy} - agency_policies == {
        SERIOUS_POLICY,
        GRAVE_VIOLATIONS_POLICY,
        EARLY_WARNING_POLICY,
    }
    # The clashes at the PoC site in the last day: early warning fired there.
    warnings = [alert for alert in alerts if alert.kind == AlertKind.EARLY_WARNING]
    assert warnings and {alert.site.code for alert in warnings if alert.site} == {"DEMO-POC1"}
    # One alert went up a tier before the reporting agency's management acknowledged it.
    escalated = alerts.select_related("incident", "acknowledged_by").get(tier=2)
    assert escalated.status == AlertStatus.ACKNOWLEDGED and escalated.incident is not None
    acknowledged_by = escalated.acknowledged_by
    assert acknowledged_by is not None and acknowledged_by.role in (Role.ADMIN, Role.SUPERVISOR)
    assert acknowledged_by.agency_id == escalated.incident.reporting_agency_id

    # In-app notices are in the inboxes; emails wait for the worker. No webhook is seeded.
    deliveries = Counter(Delivery.objects.values_list("channel", "status"))
    assert deliveries[(DeliveryChannel.IN_APP, DeliveryStatus.SENT)] > 0
    assert deliveries[(DeliveryChannel.EMAIL, DeliveryStatus.PENDING)] > 0
    assert not any(channel == DeliveryChannel.WEBHOOK for channel, _status in deliveries)
    officer = user("unmuk.officer")
    assert access.alerts_for(officer).filter(status=AlertStatus.OPEN).exists()
    assert access.notifications_for(officer).exists()


@pytest.mark.django_db
def test_the_policies_are_those_the_mission_agreed(demo_seeded: str, client: Client) -> None:
    serious = EscalationPolicy.objects.get(name=SERIOUS_POLICY)
    assert (serious.minimum_severity, serious.ack_deadline_minutes) == (3, 15)
    assert not serious.sites.exists() and not serious.incident_types.exists()
    first, second = serious.tiers.order_by("level")
    assert first.notify_in_app and first.notify_email
    assert {u.role for u in tier_users(first)} == {Role.PROTECTION_OFFICER, Role.SUPERVISOR}
    assert {u.role for u in tier_users(second)} == {Role.ADMIN, Role.SUPERVISOR}
    assert len({u.agency_id for u in tier_users(second)}) == 3

    grave = EscalationPolicy.objects.get(name=GRAVE_VIOLATIONS_POLICY)
    assert set(grave.incident_types.values_list("taxonomy", flat=True)) == {"grave_violation"}
    assert grave.incident_types.count() == 6 and grave.minimum_severity == 1
    assert [u.username for u in tier_users(grave.tiers.get(level=1))] == ["rrn.supervisor"]

    early = EscalationPolicy.objects.get(name=EARLY_WARNING_POLICY)
    assert early.trigger == PolicyTrigger.EARLY_WARNING

    # Each agency's administrator keeps one policy: its own sites, its own staff.
    for admin in User.objects.filter(role=Role.ADMIN, agency__isnull=False).select_related(
        "agency"
    ):
        agency = admin.agency
        assert agency is not None
        kept = EscalationPolicy.objects.get(agency=agency)
        assert kept.name == agency_policy_name(agency) and kept.minimum_severity == 4
        assert kept.sites.exists()
        staff = {u for tier in kept.tiers.all() for u in tier_users(tier)}
        assert staff and {u.agency_id for u in staff} == {agency.pk}
        event = AuditEvent.objects.get(action="escalationpolicy.create", object_id=str(kept.pk))
        assert event.actor_id == admin.pk
        client.force_login(admin)
        listed = client.get(reverse("admin:incidents_escalationpolicy_changelist"))
        assert agency_policy_name(agency) in listed.content.decode()


@pytest.mark.django_db
def test_the_demo_drill_has_a_report(demo_seeded: str) -> None:
    drill = Drill.objects.get()
    assert drill.ended_at is not None and drill.incidents.count() == 2
    result = drill_report(drill=drill)
    assert result.alerts == 2 and result.acknowledged == 2 and result.escalations == 1
    answered = sorted((row.tier, row.minutes) for row in result.rows if row.minutes is not None)
    assert answered == [(1, 6.0), (2, 9.0)]
    assert all(row.within_deadline for row in result.rows if row.minutes is not None)
    # Nothing of it is live: the incident list and the figures leave it out.
    officer = user("unmuk.officer")
    assert not access.incidents_for(officer).filter(drill__isnull=False).exists()


@pytest.mark.django_db
def test_the_poc_site_is_a_safe_zone_with_two_corridors_one_closed(demo_seeded: str) -> None:
    from incidents.models import Corridor, CorridorStatus, SafeZone

    zone = SafeZone.objects.get(site__code="DEMO-POC1")
    corridors = {c.name: c for c in Corridor.objects.filter(site__code="DEMO-POC1")}
    assert len(corridors) == 2
    statuses = sorted(c.status for c in corridors.values())
    assert statuses == [CorridorStatus.CLOSED, CorridorStatus.OPEN]
    closed = next(c for c in corridors.values() if c.status == CorridorStatus.CLOSED)
    assert closed.history.count() == 2
    assert closed.subscriptions.get().agency.acronym
    # Drawn before the incidents were reported: those at the PoC site are flagged inside it.
    at_poc = Incident.objects.filter(site__code="DEMO-POC1")
    assert at_poc.exists() and not at_poc.exclude(safe_zone=zone).exists()
