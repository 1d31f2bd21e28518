"""The escalation-policy service: a superuser configures who hears of which incidents."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incidents.models import EscalationPolicy, IncidentType
from incidents.policies.services import TierSpec, escalation_policy_create
from protection.accounts.models import Role, User
from protection.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin(db: None) -> User:
    return User.objects.create_user(username="root", is_superuser=True, is_staff=True)


def test_a_superuser_creates_a_policy_with_its_tiers_in_one_audited_write(
    platform_admin: User, agency: Any, officer: Any
) -> None:
    killing = IncidentType.objects.get(code="killing")

    policy = escalation_policy_create(
        actor=platform_admin,
        name="  Killings ",
        incident_types=[killing],
        minimum_severity=3,
        ack_deadline_minutes=10,
        tiers=[
            TierSpec(users=[officer], notify_email=True),
            TierSpec(roles=[(agency, Role.SUPERVISOR)], agencies=[agency], notify_webhook=True),
        ],
    )

    assert policy.name == "Killings" and policy.active
    assert list(policy.incident_types.all()) == [killing]
    first, second = policy.tiers.order_by("level")
    assert (first.level, first.notify_email, second.level, second.notify_webhook) == (
        1,
        True,
        2,
        True,
    )
    assert [r.kind for r in second.recipients.order_by("kind")] == ["agency", "role"]
    event = AuditEvent.objects.get(action="escalationpolicy.create")
    assert event.actor == platform_admin
    assert [tier["level"] for tier in event.changes["tiers"][1]] == [1, 2]

    with pytest.raises(ValidationError, match="exists already"):
        escalation_policy_create(
            actor=platform_admin, name="KILLINGS", tiers=[TierSpec(users=[officer])]
        )
    assert EscalationPolicy.objects.count() == 1


def test_only_a_superuser_configures_policies(agency: Any, officer: Any) -> None:
    admin = User.objects.create_user(username="agency_admin", agency=agency, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        escalation_policy_create(actor=admin, name="Mine", tiers=[TierSpec(users=[officer])])
    assert not EscalationPolicy.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": " "}, "name"),
        ({"tiers": []}, "tiers"),
        ({"tiers": [TierSpec()]}, "tiers"),
        ({"ack_deadline_minutes": 0}, "ack_deadline_minutes"),
        ({"minimum_severity": 7}, "minimum_severity"),
        ({"trigger": "early_warning", "incident_types": "killing"}, "incident_types"),
    ],
)
def test_a_bad_policy_is_refused_and_nothing_is_written(
    platform_admin: User, officer: Any, arguments: dict[str, Any], field: str
) -> None:
    if arguments.get("incident_types") == "killing":
        arguments = {**arguments, "incident_types": [IncidentType.objects.get(code="killing")]}
    values: dict[str, Any] = {"name": "Policy", "tiers": [TierSpec(users=[officer])], **arguments}
    with pytest.raises(ValidationError) as refused:
        escalation_policy_create(actor=platform_admin, **values)
    assert field in refused.value.message_dict
    assert not EscalationPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action="escalationpolicy.create").exists()
