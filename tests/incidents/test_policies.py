"""Escalation policies: which incidents they match, and whom each tier tells, by which channel."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from incidents.models import EscalationPolicy, IncidentType, TierRecipient
from incidents.policies.selectors import (
    policies_matching,
    policy_matches,
    tier_recipients,
    tier_users,
)
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests import factories
from tests.incidents.conftest import make_policy, make_user


def _matches(policy: EscalationPolicy, *, type_code: str, severity: int, site: Any) -> bool:
    fresh = EscalationPolicy.objects.prefetch_related("incident_types", "sites").get(pk=policy.pk)
    return policy_matches(
        fresh,
        type_id=IncidentType.objects.get(code=type_code).pk,
        severity=severity,
        site_id=site.pk if site is not None else None,
    )


def test_an_empty_policy_matches_every_type_and_site_from_its_minimum_severity(
    site: Any, other_site: Any
) -> None:
    policy = make_policy(tiers=[{}], minimum_severity=3)
    assert _matches(policy, type_code="killing", severity=3, site=site)
    assert _matches(policy, type_code="gbv_rape", severity=4, site=other_site)
    assert _matches(policy, type_code="killing", severity=4, site=None)
    assert not _matches(policy, type_code="killing", severity=2, site=site)


def test_types_and_sites_narrow_a_policy(site: Any, other_site: Any) -> None:
    policy = make_policy(tiers=[{}], types=["killing", "gv_abduction"], sites=[site])
    assert _matches(policy, type_code="killing", severity=1, site=site)
    assert _matches(policy, type_code="gv_abduction", severity=1, site=site)
    assert not _matches(policy, type_code="looting", severity=4, site=site)
    assert not _matches(policy, type_code="killing", severity=4, site=other_site)
    # Coordinates only: a policy for named sites cannot know it concerns them.
    assert not _matches(policy, type_code="killing", severity=4, site=None)


def test_an_inactive_policy_matches_nothing(site: Any) -> None:
    policy = make_policy(tiers=[{}])
    policy.active = False
    policy.save()
    assert not _matches(policy, type_code="killing", severity=4, site=site)


def test_matching_policies_come_with_their_tiers_in_order(site: Any, officer: Any) -> None:
    wanted = make_policy(
        name="Killings", tiers=[{"users": [officer]}, {"users": [officer]}], types=["killing"]
    )
    make_policy(name="Looting", tiers=[{"users": [officer]}], types=["looting"])
    make_policy(name="Early", tiers=[{"users": [officer]}], trigger="early_warning")

    found = policies_matching(
        trigger="incident",
        type_id=IncidentType.objects.get(code="killing").pk,
        severity=4,
        site_id=site.pk,
    )

    assert found == [wanted]
    assert [t.level for t in found[0].tiers.all()] == [1, 2]


def test_a_tier_names_users_roles_of_an_agency_and_whole_agencies(
    agency: Any, other_agency: Any
) -> None:
    named = make_user(agency=agency, role="case_worker")
    supervisor = make_user(agency=other_agency, role="supervisor")
    make_user(agency=other_agency, role="protection_officer")  # other role
    third = factories.AgencyFactory(acronym="THD")
    whole = [make_user(agency=third, role=r) for r in ("admin", "case_worker")]
    make_user(agency=third, role="partner_api")  # machines get webhooks
    make_user(agency=third, role="analyst")  # figures only
    make_user(agency=third, role="supervisor", is_active=False)
    policy = make_policy(
        tiers=[
            {
                "users": [named, supervisor],
                "roles": [(other_agency, "supervisor")],
                "agencies": [third],
            }
        ]
    )

    users = tier_users(policy.tiers.get())

    assert users == sorted([named, supervisor, *whole], key=lambda u: u.pk)


def test_a_deactivated_agency_is_told_nothing(agency: Any) -> None:
    user = make_user(agency=agency, role="supervisor")
    policy = make_policy(tiers=[{"agencies": [agency]}])
    agency.active = False
    agency.save()
    assert tier_users(policy.tiers.get()) == []
    assert user.is_active


def test_each_user_gets_each_channel_of_the_tier_and_agencies_their_webhooks(
    agency: Any, site: Any, settings: Any
) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    officer = make_user(agency=agency, role="protection_officer")
    partner = factories.AgencyFactory(acronym="PRT")
    partner_api = make_user(agency=partner, role="partner_api")
    subscription = webhook_subscription_create(
        actor=partner_api, url="http://127.0.0.1:9/hook", events=["alert.raised"]
    ).subscription
    webhook_subscription_create(
        actor=partner_api, url="http://127.0.0.1:9/esc", events=["alert.escalated"]
    )
    policy = make_policy(
        tiers=[{"users": [officer], "agencies": [partner], "email": True, "webhook": True}]
    )

    recipients = tier_recipients(tier=policy.tiers.get(), event="alert.raised", site=site)

    assert [(r.channel, r.user, r.subscription) for r in recipients] == [
        ("in_app", officer, None),
        ("email", officer, None),
        ("webhook", None, subscription),
    ]


def test_the_database_keeps_tiers_and_recipients_consistent(agency: Any, officer: Any) -> None:
    policy = make_policy(tiers=[{}])
    tier = policy.tiers.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        policy.tiers.create(level=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        TierRecipient.objects.create(tier=tier, kind="user")
    with pytest.raises(IntegrityError), transaction.atomic():
        TierRecipient.objects.create(tier=tier, kind="role", agency=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        TierRecipient.objects.create(tier=tier, kind="agency", agency=agency, user=officer)
