"""The admin has no back door: a rule the services enforce is a form error in the admin too.

Each case saves an admin add or change form with bad input and expects the message the API
(or the service, where no page or API edits that model) gives for the same input, and nothing
written: no row, no change, no audit event.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from camps.models import Country, Site, SiteType
from incidents.models import EscalationPolicy, IncidentType
from incidents.policies.services import TierSpec, escalation_policy_create
from partners.agencies import agency_update
from partners.models import PartnerAgency, Sector, Service
from partners.services import service_create
from protection.accounts.models import Role, User
from protection.accounts.services import user_create, user_update
from protection.models import AuditEvent
from protection.notifications.models import WebhookEvent, WebhookSubscription
from protection.notifications.services.subscriptions import webhook_subscription_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _form_data(response: Any) -> dict[str, Any]:
    """Return the POST data that submits the admin form in `response` unchanged."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for formset in response.context.get("inline_admin_formsets", []):
        management = formset.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value())
        forms.extend(formset.formset.forms)
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            key = form.add_prefix(name)
            if isinstance(value, list | tuple):
                data[key] = [str(getattr(item, "pk", item)) for item in value]
            else:
                data[key] = str(value)
    return data


def _api_error(user: Any, method: str, url: str, payload: dict[str, Any], field: str) -> str:
    client = APIClient()
    client.force_authenticate(user)
    response = getattr(client, method)(url, payload, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()
    found = errors.get(field) or errors.get("errors", {}).get(field)
    assert found, errors
    return str(found[0] if isinstance(found, list) else found)


def _service_error(call: Callable[[], Any], field: str) -> str:
    with pytest.raises(ValidationError) as raised:
        call()
    return str(raised.value.message_dict[field][0])


BAD_HOOK = "https://partner:hunter2@hooks.example.org/protection"


@dataclass
class World:
    superuser: Any
    agency: Any
    other_agency: Any
    site: Any
    agency_admin: Any


@pytest.fixture
def world(superuser: Any, agency: Any, other_agency: Any, site: Any) -> World:
    agency_admin = UserFactory(agency=agency, role=Role.ADMIN, is_staff=True, username="mpu_adm")
    return World(superuser, agency, other_agency, site, agency_admin)


def _future() -> str:
    return (timezone.localdate() + datetime.timedelta(days=3)).isoformat()


def _site_add(w: World, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Bentiu Two",
        "code": "BEN-02",
        "site_type": SiteType.objects.get(code="poc_site").pk,
        "country": Country.objects.get(code="SSD").pk,
        "status": "open",
        "capacity": "300",
        "managing_agency": w.agency.pk,
    }
    values.update(overrides)
    return values


def _site_api(w: World, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"name": "Bentiu Two", "code": "BEN-02", "site_type": "poc_site"}
    values.update({"country": "SSD", "capacity": 300, **overrides})
    return values


def _retired_site_type() -> SiteType:
    return SiteType.objects.get_or_create(
        code="retired", defaults={"name": "Retired type", "active": False}
    )[0]


def _retired_sector() -> Sector:
    return Sector.objects.get_or_create(
        code="retired", defaults={"name": "Retired sector", "active": False}
    )[0]


def _deactivated(agency: PartnerAgency) -> PartnerAgency:
    PartnerAgency.objects.filter(pk=agency.pk).update(active=False)
    agency.refresh_from_db()
    return agency


@dataclass
class Case:
    """One bad input: the admin form to post, the reference message, and what must not move."""

    id: str
    url: Callable[[World], str]
    data: Callable[[World, Any], dict[str, Any]]  # (world, GET response) -> POST data
    field: str
    expected: Callable[[World], str]
    rows: Callable[[World], Any]  # a value that must be the same before and after
    user: str = "superuser"


def _site_change_url(w: World) -> str:
    return reverse("admin:camps_site_change", args=[w.site.pk])


def _site_row(w: World) -> Any:
    return (Site.objects.count(), list(Site.objects.values_list("opened_on", "latitude")))


def _policy_add(w: World, page: Any, **tier: Any) -> dict[str, Any]:
    data = {
        "name": "Killings",
        "trigger": "incident",
        "active": "on",
        "ack_deadline_minutes": "15",
        "minimum_severity": "3",
        "tiers-TOTAL_FORMS": "1",
        "tiers-INITIAL_FORMS": "0",
        "tiers-0-level": "1",
    }
    data.update({f"tiers-0-{name}": value for name, value in tier.items()})
    return data


def _policy_error(w: World, tiers: list[TierSpec], field: str, **values: Any) -> str:
    return _service_error(
        lambda: escalation_policy_create(actor=w.superuser, name="Killings", tiers=tiers, **values),
        field,
    )


CASES = [
    Case(
        "site-add-opening-in-future",
        lambda w: reverse("admin:camps_site_add"),
        lambda w, page: _site_add(w, opened_on=_future()),
        "opened_on",
        lambda w: _api_error(
            w.agency_admin, "post", "/api/v1/camps/", _site_api(w, opened_on=_future()), "opened_on"
        ),
        _site_row,
    ),
    Case(
        "site-add-latitude-without-longitude",
        lambda w: reverse("admin:camps_site_add"),
        lambda w, page: _site_add(w, latitude="9.27"),
        "longitude",
        lambda w: _api_error(
            w.agency_admin, "post", "/api/v1/camps/", _site_api(w, latitude="9.27"), "longitude"
        ),
        _site_row,
    ),
    Case(
        "site-add-inactive-type",
        lambda w: reverse("admin:camps_site_add"),
        lambda w, page: _site_add(w, site_type=_retired_site_type().pk),
        "site_type",
        lambda w: _api_error(
            w.agency_admin, "post", "/api/v1/camps/", _site_api(w, site_type="retired"), "site_type"
        ),
        _site_row,
    ),
    Case(
        "site-change-opening-in-future",
        _site_change_url,
        lambda w, page: {**_form_data(page), "opened_on": _future()},
        "opened_on",
        lambda w: _api_error(
            w.agency_admin,
            "patch",
            f"/api/v1/camps/{w.site.pk}/",
            {"opened_on": _future()},
            "opened_on",
        ),
        _site_row,
    ),
    Case(
        "policy-tier-tells-nobody",
        lambda w: reverse("admin:incidents_escalationpolicy_add"),
        lambda w, page: _policy_add(w, page, notify_in_app="on"),
        "tiers",
        lambda w: _policy_error(w, [TierSpec(notify_in_app=True)], "tiers"),
        lambda w: EscalationPolicy.objects.count(),
    ),
    Case(
        "policy-tier-without-channel",
        lambda w: reverse("admin:incidents_escalationpolicy_add"),
        lambda w, page: _policy_add(w, page, agencies=[str(w.agency.pk)]),
        "tiers",
        lambda w: _policy_error(w, [TierSpec(agencies=[w.agency], notify_in_app=False)], "tiers"),
        lambda w: EscalationPolicy.objects.count(),
    ),
    Case(
        "policy-early-warning-with-types",
        lambda w: reverse("admin:incidents_escalationpolicy_add"),
        lambda w, page: {
            **_policy_add(w, page, notify_in_app="on", agencies=[str(w.agency.pk)]),
            "trigger": "early_warning",
            "incident_types": [str(IncidentType.objects.filter(active=True).earliest("pk").pk)],
        },
        "incident_types",
        lambda w: _policy_error(
            w,
            [TierSpec(agencies=[w.agency])],
            "incident_types",
            trigger="early_warning",
            incident_types=[IncidentType.objects.filter(active=True).earliest("pk")],
        ),
        lambda w: EscalationPolicy.objects.count(),
    ),
    Case(
        "service-add-inactive-sector",
        lambda w: reverse("admin:partners_service_add"),
        lambda w, page: {
            "agency": w.agency.pk,
            "name": "Legal desk",
            "sector": _retired_sector().pk,
            "accepting_referrals": "on",
            "active": "on",
        },
        "sector",
        # The API's serializer offers active sectors only; the service says why.
        lambda w: _service_error(
            lambda: service_create(
                actor=w.agency_admin, name="Legal desk", sector=_retired_sector()
            ),
            "sector",
        ),
        lambda w: Service.objects.count(),
    ),
    Case(
        "agency-change-acronym-taken",
        lambda w: reverse("admin:partners_partneragency_change", args=[w.agency.pk]),
        lambda w, page: {**_form_data(page), "acronym": w.other_agency.acronym.lower()},
        "acronym",
        lambda w: _service_error(
            lambda: agency_update(
                actor=w.superuser,
                agency=w.agency,
                changes={"acronym": w.other_agency.acronym.lower()},
            ),
            "acronym",
        ),
        lambda w: sorted(PartnerAgency.objects.values_list("acronym", flat=True)),
    ),
    Case(
        "webhook-add-url-with-password",
        lambda w: reverse("admin:notifications_webhooksubscription_add"),
        lambda w, page: {"url": BAD_HOOK, "events": [WebhookEvent.values[0]]},
        "url",
        lambda w: _service_error(
            lambda: webhook_subscription_create(
                actor=w.agency_admin, url=BAD_HOOK, events=[WebhookEvent.values[0]]
            ),
            "url",
        ),
        lambda w: WebhookSubscription.objects.count(),
        user="agency_admin",
    ),
    Case(
        "user-change-own-role",
        lambda w: reverse("admin:accounts_user_change", args=[w.agency_admin.pk]),
        lambda w, page: {**_form_data(page), "role": "supervisor"},
        "role",
        lambda w: _service_error(
            lambda: user_update(
                actor=w.agency_admin, user=w.agency_admin, changes={"role": "supervisor"}
            ),
            "role",
        ),
        lambda w: User.objects.get(pk=w.agency_admin.pk).role,
        user="agency_admin",
    ),
    Case(
        "user-add-in-inactive-agency",
        lambda w: reverse("admin:accounts_user_add"),
        lambda w, page: {
            "username": "nobody_home",
            "usable_password": "false",
            "agency": _deactivated(w.other_agency).pk,
            "role": "case_worker",
        },
        "agency",
        lambda w: _service_error(
            lambda: user_create(
                actor=w.superuser, username="nobody_home", agency=w.other_agency, role="case_worker"
            ),
            "agency",
        ),
        lambda w: User.objects.count(),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_in_the_admin_is_the_services_form_error(
    client: Any, world: World, case: Case
) -> None:
    client.force_login(getattr(world, case.user))
    url = case.url(world)
    page = client.get(url)
    assert page.status_code == 200
    data = case.data(world, page)
    expected = case.expected(world)  # the API's or the service's own answer to the same input
    before_rows, before_events = case.rows(world), AuditEvent.objects.count()

    response = client.post(url, data)

    assert response.status_code == 200, "the admin saved the bad input"
    errors = response.context["adminform"].form.errors
    messages = [str(m) for m in errors.get(case.field, [])]
    for formset in response.context.get("inline_admin_formsets", []):
        messages.extend(str(m) for m in formset.formset.non_form_errors())
    assert expected in messages, (expected, errors)
    assert case.rows(world) == before_rows
    assert AuditEvent.objects.count() == before_events
