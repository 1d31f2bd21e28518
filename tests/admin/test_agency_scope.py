"""An agency administrator keeps their agency's sites, services, agreements and escalation
policies in the admin: they see their own rows only (another agency's answers 404), the choices
of the forms are their agency's, and every write goes through the service and is audited.
A platform superuser still sees everything."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from camps.models import Site
from incidents.models import EscalationPolicy
from incidents.policies.services import (
    TierSpec,
    escalation_policy_create,
    escalation_policy_delete,
    escalation_policy_update,
)
from partners.models import DataSharingAgreement, Sector, Service
from protection.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(agency: Any, other_agency: Any, site: Any, other_site: Any, superuser: Any) -> Any:
    """One row of each kind for the agency and for another agency."""
    sector = Sector.objects.earliest("pk")
    own_policy = escalation_policy_create(
        actor=superuser,
        name="Our camp",
        agency=agency,
        sites=[site],
        tiers=[TierSpec(roles=[(agency, "supervisor")])],
    )
    other_policy = escalation_policy_create(
        actor=superuser,
        name="Their camp",
        agency=other_agency,
        sites=[other_site],
        tiers=[TierSpec(roles=[(other_agency, "supervisor")])],
    )
    mission_policy = escalation_policy_create(
        actor=superuser, name="Mission", tiers=[TierSpec(agencies=[agency])]
    )
    return {
        "site": site,
        "other_site": other_site,
        "service": Service.objects.create(agency=agency, sector=sector, name="Legal aid desk"),
        "other_service": Service.objects.create(
            agency=other_agency, sector=sector, name="Trauma counselling"
        ),
        "policy": own_policy,
        "other_policy": other_policy,
        "mission_policy": mission_policy,
    }


ROWS = [
    ("camps_site", "site", "other_site"),
    ("partners_service", "service", "other_service"),
    ("incidents_escalationpolicy", "policy", "other_policy"),
    ("incidents_escalationpolicy", "policy", "mission_policy"),
]


@pytest.mark.parametrize(("model", "own", "other"), ROWS)
def test_the_agency_admin_sees_their_rows_and_not_another_agencys(
    admin_client_for: Any, agency_admin: Any, world: Any, model: str, own: str, other: str
) -> None:
    client = admin_client_for(agency_admin)
    listing = client.get(reverse(f"admin:{model}_changelist"))
    assert listing.status_code == 200
    assert str(world[own]) in listing.content.decode()
    assert str(world[other]) not in listing.content.decode()
    assert client.get(reverse(f"admin:{model}_change", args=[world[own].pk])).status_code == 200
    for view in ("change", "history", "delete"):
        response = client.get(reverse(f"admin:{model}_{view}", args=[world[other].pk]))
        assert response.status_code == 404, view


def test_the_admin_index_shows_the_agency_admin_what_they_keep(
    admin_client_for: Any, agency_admin: Any, world: Any
) -> None:
    page = admin_client_for(agency_admin).get(reverse("admin:index")).content.decode()
    for model in ("camps/site", "incidents/escalationpolicy", "partners/service"):
        assert f"/admin/{model}/" in page
    # Agencies and reference lists are a superuser's.
    assert "/admin/partners/partneragency/add/" not in page
    # Their own agency is shown, not changed (agencies are a superuser's).
    client = admin_client_for(agency_admin)
    own = client.get(reverse("admin:partners_partneragency_change", args=[agency_admin.agency_id]))
    assert own.status_code == 200
    assert 'name="_save"' not in own.content.decode()


def test_the_superuser_still_sees_every_agency(
    admin_client_for: Any, superuser: Any, world: Any
) -> None:
    client = admin_client_for(superuser)
    page = client.get(reverse("admin:incidents_escalationpolicy_changelist")).content.decode()
    assert all(name in page for name in ("Our camp", "Their camp", "Mission"))
    assert (
        client.get(reverse("admin:camps_site_change", args=[world["other_site"].pk])).status_code
        == 200
    )


def test_the_choices_are_the_agencys(
    admin_client_for: Any, agency_admin: Any, world: Any, other_agency: Any
) -> None:
    client = admin_client_for(agency_admin)
    policy_form = client.get(reverse("admin:incidents_escalationpolicy_add")).context["adminform"]
    form = policy_form.form
    assert list(form.fields["agency"].queryset) == [agency_admin.agency]
    assert world["other_site"] not in form.fields["sites"].queryset
    assert world["site"] in form.fields["sites"].queryset
    tiers = client.get(reverse("admin:incidents_escalationpolicy_add")).context[
        "inline_admin_formsets"
    ]
    tier_form = tiers[0].formset.forms[0]
    assert other_agency not in tier_form.fields["agencies"].queryset
    assert not tier_form.fields["users"].queryset.exclude(agency=agency_admin.agency).exists()
    assert all(
        value.startswith(f"{agency_admin.agency.pk}:")
        for value, _ in tier_form.fields["roles"].choices
    )
    site_form = client.get(reverse("admin:camps_site_add")).context["adminform"].form
    assert list(site_form.fields["managing_agency"].queryset) == [agency_admin.agency]
    service_form = client.get(reverse("admin:partners_service_add")).context["adminform"].form
    assert list(service_form.fields["agency"].queryset) == [agency_admin.agency]
    assert world["other_site"] not in service_form.fields["sites"].queryset


def _policy_post(site: Any, agency: Any, **tier: str) -> dict[str, Any]:
    return {
        "name": "Night patrol",
        "agency": str(agency.pk),
        "trigger": "incident",
        "active": "on",
        "ack_deadline_minutes": "20",
        "minimum_severity": "3",
        "sites": [str(site.pk)],
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-level": "1",
        "tiers-0-notify_in_app": "on",
        **{f"tiers-0-{name}": value for name, value in tier.items()},
    }


def test_the_agency_admin_adds_a_policy_through_the_service(
    admin_client_for: Any, agency_admin: Any, world: Any, agency: Any
) -> None:
    client = admin_client_for(agency_admin)
    data = _policy_post(world["site"], agency, roles=f"{agency.pk}:supervisor")
    response = client.post(reverse("admin:incidents_escalationpolicy_add"), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    policy = EscalationPolicy.objects.get(name="Night patrol")
    assert policy.agency == agency
    assert list(policy.sites.all()) == [world["site"]]
    event = AuditEvent.objects.get(action="escalationpolicy.create", object_id=str(policy.pk))
    assert event.actor == agency_admin


def test_a_policy_of_the_agency_cannot_reach_another_agencys_site_or_staff(
    admin_client_for: Any, agency_admin: Any, world: Any, agency: Any, other_agency: Any
) -> None:
    client = admin_client_for(agency_admin)
    add = reverse("admin:incidents_escalationpolicy_add")
    # Another agency's site is not among the choices; another agency's role neither.
    other_site = client.post(add, _policy_post(world["other_site"], agency, in_app="on"))
    other_role = client.post(
        add, _policy_post(world["site"], agency, roles=f"{other_agency.pk}:supervisor")
    )
    another_agency = client.post(add, _policy_post(world["site"], other_agency))
    for response in (other_site, other_role, another_agency):
        assert response.status_code == 200
    assert not EscalationPolicy.objects.filter(name="Night patrol").exists()
    assert not AuditEvent.objects.filter(
        action="escalationpolicy.create", actor=agency_admin
    ).exists()


def test_the_agency_admin_changes_their_site_and_not_one_they_only_operate_in(
    admin_client_for: Any, agency_admin: Any, world: Any, agency: Any
) -> None:
    operated = factories.SiteFactory.create(name="Shared camp")
    operated.operating_agencies.add(agency)
    client = admin_client_for(agency_admin)
    url = reverse("admin:camps_site_change", args=[operated.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()  # shown, not editable
    response = client.post(url, {"name": "Renamed"})
    assert response.status_code == 403
    assert Site.objects.get(pk=operated.pk).name == "Shared camp"


def test_the_agency_admin_records_an_agreement_with_another_agency(
    admin_client_for: Any, agency_admin: Any, agency: Any, other_agency: Any, world: Any
) -> None:
    today = timezone.localdate()
    theirs = DataSharingAgreement.objects.create(
        agency_one=other_agency,
        agency_two=factories.AgencyFactory.create(),
        purposes=["referral"],
        data_categories=["contact"],
        valid_from=today,
        valid_to=today + datetime.timedelta(days=30),
    )
    client = admin_client_for(agency_admin)
    response = client.post(
        reverse("admin:partners_datasharingagreement_add"),
        {
            "agency_one": str(agency.pk),
            "agency_two": str(other_agency.pk),
            "purposes": ["referral"],
            "data_categories": ["contact"],
            "valid_from": today.isoformat(),
            "valid_to": (today + datetime.timedelta(days=365)).isoformat(),
            "active": "on",
        },
    )
    assert response.status_code == 302
    agreement = DataSharingAgreement.objects.get(agency_one=agency)
    assert AuditEvent.objects.filter(
        action="agreement.create", object_id=str(agreement.pk), actor=agency_admin
    ).exists()
    url = reverse("admin:partners_datasharingagreement_change", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert Service.objects.filter(agency=agency).exists()


def test_the_policy_services_keep_each_policy_to_its_keeper(
    agency_admin: Any, world: Any, other_agency: Any
) -> None:
    for policy in (world["other_policy"], world["mission_policy"]):
        with pytest.raises(PermissionDenied):
            escalation_policy_update(actor=agency_admin, policy=policy, changes={"active": False})
        with pytest.raises(PermissionDenied):
            escalation_policy_delete(actor=agency_admin, policy=policy)
    with pytest.raises(PermissionDenied):
        escalation_policy_create(
            actor=agency_admin,
            name="Elsewhere",
            agency=other_agency,
            sites=[world["other_site"]],
            tiers=[TierSpec(roles=[(other_agency, "supervisor")])],
        )
    escalation_policy_update(actor=agency_admin, policy=world["policy"], changes={"active": False})
    assert not EscalationPolicy.objects.get(pk=world["policy"].pk).active
    assert AuditEvent.objects.filter(action="escalationpolicy.update", actor=agency_admin).exists()
