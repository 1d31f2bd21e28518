"""The services behind the admin: each rule on its own, and the same audit event either way."""

import datetime
import decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from camps.models import Country, Site, SiteStatus, SiteType
from camps.services import site_close, site_create, site_update
from incidents.models import Alert, EscalationPolicy
from incidents.policies.services import (
    TierSpec,
    escalation_policy_create,
    escalation_policy_delete,
    escalation_policy_update,
    escalation_tier_create,
    escalation_tier_delete,
    escalation_tier_update,
)
from partners.agencies import agency_create, agency_update
from protection.accounts.models import Role, User
from protection.accounts.services import (
    user_create,
    user_deactivate,
    user_role_change,
    user_update,
)
from protection.accounts.tokens import (
    TokenLimitError,
    api_token_issue,
    api_token_revoke,
    api_token_revoke_all,
)
from protection.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency_admin(agency: Any) -> Any:
    return UserFactory(agency=agency, role=Role.ADMIN, is_staff=True, username="mpu_adm")


def _site(actor: Any, **values: Any) -> Site:
    arguments: dict[str, Any] = {
        "name": "Bentiu Two",
        "code": "BEN-02",
        "site_type": SiteType.objects.get(code="poc_site"),
        "country": Country.objects.get(code="SSD"),
        "capacity": 300,
        **values,
    }
    return site_create(actor=actor, **arguments)


def _messages(raised: Any, field: str) -> list[str]:
    return [str(m) for m in raised.value.message_dict[field]]


# Sites


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        (
            {"opened_on": "future"},
            "opened_on",
            "The opening date cannot be in the future.",
        ),
        (
            {"latitude": decimal.Decimal("9.27")},
            "longitude",
            "Give both latitude and longitude, or neither.",
        ),
        (
            {"latitude": decimal.Decimal("91"), "longitude": decimal.Decimal("29")},
            "latitude",
            "This value must lie between -90 and 90.",
        ),
        ({"site_type": "retired"}, "site_type", "This site type is no longer in use."),
        ({"capacity": 0}, "capacity", "The capacity is a number of people greater than zero."),
    ],
)
def test_site_rules(superuser: Any, agency: Any, values: Any, field: str, message: str) -> None:
    if values.get("opened_on") == "future":
        values["opened_on"] = timezone.localdate() + datetime.timedelta(days=1)
    if values.get("site_type") == "retired":
        values["site_type"] = SiteType.objects.create(code="old", name="Old", active=False)
    with pytest.raises(ValidationError) as raised:
        _site(superuser, managing_agency=agency, **values)
    assert message in _messages(raised, field)
    assert not Site.objects.filter(code="BEN-02").exists()


def test_a_superuser_names_the_managing_agency_an_agency_admin_cannot(
    superuser: Any, agency: Any, other_agency: Any, agency_admin: Any
) -> None:
    with pytest.raises(ValidationError) as raised:
        _site(superuser)
    assert "managing_agency" in raised.value.message_dict
    with pytest.raises(PermissionDenied):
        _site(agency_admin, managing_agency=other_agency)

    site = _site(superuser, managing_agency=other_agency)
    assert site.managing_agency == other_agency
    own = _site(agency_admin, code="BEN-09")
    with pytest.raises(ValidationError):
        site_update(actor=agency_admin, site=own, changes={"managing_agency": other_agency})
    site_update(actor=superuser, site=own, changes={"managing_agency": other_agency})
    own.refresh_from_db()
    assert own.managing_agency == other_agency


def test_an_opening_date_of_today_is_accepted_and_closing_is_audited(
    superuser: Any, agency: Any
) -> None:
    site = _site(superuser, managing_agency=agency, opened_on=timezone.localdate())
    site_close(actor=superuser, site=site)
    site.refresh_from_db()
    assert site.status == SiteStatus.CLOSED
    event = AuditEvent.objects.get(action="site.update", object_id=str(site.pk))
    assert event.changes == {"status": ["open", "closed"]}


def test_a_site_added_in_the_admin_writes_the_service_event(
    client: Any, superuser: Any, agency: Any
) -> None:
    service_site = _site(superuser, managing_agency=agency)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:camps_site_add"),
        {
            "name": "Bentiu Three",
            "code": "BEN-03",
            "site_type": service_site.site_type_id,
            "country": service_site.country_id,
            "status": "open",
            "capacity": "300",
            "managing_agency": agency.pk,
        },
    )
    assert response.status_code == 302
    by_service, by_admin = AuditEvent.objects.filter(action="site.create").order_by("id")
    assert by_admin.channel == "admin"
    assert set(by_admin.changes) == set(by_service.changes)
    assert by_admin.changes["managing_agency"] == [None, agency.pk]


# Agencies


def test_agency_rules_and_audit(superuser: Any, agency: Any, agency_admin: Any) -> None:
    with pytest.raises(PermissionDenied):
        agency_create(actor=agency_admin, name="New", acronym="NEW", agency_type="nngo")
    with pytest.raises(ValidationError) as raised:
        agency_create(actor=superuser, name="New", acronym=agency.acronym.lower(), agency_type="x")
    assert set(raised.value.message_dict) == {"acronym", "agency_type"}

    created = agency_create(actor=superuser, name="New", acronym="NEW", agency_type="nngo")
    agency_update(actor=superuser, agency=created, changes={"active": False}, action="deactivate")
    event = AuditEvent.objects.get(action="partneragency.deactivate")
    assert event.changes == {"active": [True, False]}


# Users


def test_an_agency_admin_manages_own_agency_users_only(
    agency_admin: Any, officer: Any, other_officer: Any, other_agency: Any
) -> None:
    with pytest.raises(PermissionDenied):
        user_update(actor=agency_admin, user=other_officer, changes={"role": "analyst"})
    with pytest.raises(ValidationError) as raised:
        user_create(actor=agency_admin, username="x1", agency=other_agency, role="case_worker")
    assert "agency" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        user_update(actor=agency_admin, user=officer, changes={"is_superuser": True})
    assert _messages(raised, "is_superuser") == [
        "Only a platform superuser can grant superuser status."
    ]
    officer.refresh_from_db()
    assert not officer.is_superuser


def test_nobody_changes_their_own_role_or_locks_themselves_out(agency_admin: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        user_role_change(actor=agency_admin, user=agency_admin, role=Role.SUPERVISOR)
    assert _messages(raised, "role") == ["You cannot change your own role."]
    with pytest.raises(ValidationError):
        user_update(actor=agency_admin, user=agency_admin, changes={"is_active": False})
    with pytest.raises(ValidationError):
        user_deactivate(actor=agency_admin, user=agency_admin)
    agency_admin.refresh_from_db()
    assert agency_admin.role == Role.ADMIN and agency_admin.is_active


def test_a_role_change_and_a_deactivation_are_audited(agency_admin: Any, officer: Any) -> None:
    AuthToken.objects.create(user=officer)
    user_role_change(actor=agency_admin, user=officer, role=Role.SUPERVISOR)
    user_update(actor=agency_admin, user=officer, changes={"is_active": False})

    assert AuditEvent.objects.get(action="user.role_change").changes == {
        "role": ["protection_officer", "supervisor"]
    }
    assert AuditEvent.objects.get(action="user.update").changes == {
        "is_active": [True, False],
        "revoked_api_keys": [1, 0],
    }
    assert not AuthToken.objects.filter(user=officer).exists()


def test_a_user_added_in_the_admin_writes_the_service_event(
    client: Any, agency_admin: Any, agency: Any
) -> None:
    user_create(
        actor=agency_admin, username="by_service", agency=agency, role="case_worker", password=None
    )
    client.force_login(agency_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "by_admin",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "agency": agency.pk,
            "role": "case_worker",
        },
    )
    assert response.status_code == 302
    by_service, by_admin = AuditEvent.objects.filter(action="user.create").order_by("id")
    assert set(by_admin.changes) == set(by_service.changes)
    assert by_admin.changes["password"] == by_service.changes["password"] == ["***", "***"]
    assert User.objects.get(username="by_admin").check_password(PASSWORD)


# API tokens


def test_tokens_are_limited_revoked_and_audited_without_the_digest(
    officer: Any, other_officer: Any, settings: Any
) -> None:
    issued = [api_token_issue(actor=officer) for _ in range(5)]
    digests = list(AuthToken.objects.filter(user=officer).values_list("digest", flat=True))
    with pytest.raises(TokenLimitError):
        api_token_issue(actor=officer)
    instance = issued[0][0]
    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=other_officer, token=instance)
    api_token_revoke(actor=officer, token=instance)
    assert api_token_revoke_all(actor=officer) == 4
    assert not AuthToken.objects.filter(user=officer).exists()

    events = AuditEvent.objects.filter(action__startswith="api_token.")
    assert events.filter(action="api_token.issue").count() == 5
    stored = str(list(events.values_list("changes", flat=True)))
    assert len(digests) == 5
    for digest, (_row, token) in zip(digests, issued, strict=True):
        assert token not in stored and digest not in stored


# Escalation policies


@pytest.fixture
def policy(superuser: Any, officer: Any) -> EscalationPolicy:
    return escalation_policy_create(
        actor=superuser, name="Killings", tiers=[TierSpec(users=[officer])]
    )


def test_a_tier_telling_nobody_or_by_no_channel_is_refused(
    superuser: Any, policy: EscalationPolicy, agency: Any
) -> None:
    tier = policy.tiers.get()
    with pytest.raises(ValidationError) as raised:
        escalation_tier_update(actor=superuser, tier=tier, spec=TierSpec())
    assert _messages(raised, "tiers") == ["Tier 1 names nobody to tell."]
    with pytest.raises(ValidationError) as raised:
        escalation_tier_create(
            actor=superuser, policy=policy, spec=TierSpec(agencies=[agency], notify_in_app=False)
        )
    assert _messages(raised, "tiers") == ["Tier 2 has no channel: choose in-app, email or webhook."]
    with pytest.raises(ValidationError):
        escalation_tier_delete(actor=superuser, tier=tier)
    assert policy.tiers.count() == 1
    assert tier.recipients.count() == 1


def test_tier_changes_are_one_policy_event(
    superuser: Any, policy: EscalationPolicy, agency: Any
) -> None:
    escalation_tier_create(actor=superuser, policy=policy, spec=TierSpec(agencies=[agency]))
    event = AuditEvent.objects.filter(action="escalationpolicy.update").get()
    before, after = event.changes["tiers"]
    assert [t["level"] for t in before] == [1]
    assert after[1]["agencies"] == [agency.pk]

    escalation_tier_delete(actor=superuser, tier=policy.tiers.get(level=1))
    assert list(policy.tiers.values_list("level", flat=True)) == [1]
    assert policy.tiers.get().recipients.get().agency == agency


def test_only_a_superuser_changes_policies_and_a_used_policy_is_kept(
    superuser: Any, policy: EscalationPolicy, agency_admin: Any, site: Any
) -> None:
    with pytest.raises(PermissionDenied):
        escalation_policy_update(actor=agency_admin, policy=policy, changes={"active": False})
    Alert.objects.create(
        key="k1",
        kind="early_warning",
        site=site,
        policy=policy,
        severity=3,
        raised_at=timezone.now(),
    )
    with pytest.raises(ValidationError):
        escalation_policy_delete(actor=superuser, policy=policy)
    assert EscalationPolicy.objects.filter(pk=policy.pk).exists()


# Reference lists


def test_reference_items_keep_their_stable_fields_and_in_use_items(
    superuser: Any, agency_admin: Any, site: Any
) -> None:
    from protection.reference_services import (
        reference_item_create,
        reference_item_delete,
        reference_item_update,
    )

    country = Country.objects.get(code="SSD")
    with pytest.raises(ValidationError) as raised:
        reference_item_update(actor=superuser, item=country, changes={"alpha2": "XX"})
    assert set(raised.value.message_dict) == {"alpha2"}
    with pytest.raises(PermissionDenied):
        reference_item_create(
            actor=agency_admin, model=SiteType, values={"code": "new", "name": "New"}
        )
    with pytest.raises(ValidationError):
        reference_item_delete(actor=superuser, item=site.site_type)
    assert SiteType.objects.filter(pk=site.site_type_id).exists()

    reference_item_update(
        actor=superuser, item=site.site_type, changes={"active": False}, verb="deactivate"
    )
    event = AuditEvent.objects.get(action="sitetype.deactivate")
    assert event.changes == {"active": [True, False]}
