"""Registration, incident, alert and directory forms save once: the same one-time token sent
again (a double click, a form sent again after a timeout) saves nothing more and leads to what
the first submission saved."""

from typing import Any

import pytest
from django.urls import reverse

from cases.models import DisplacedPerson, Household
from incidents.models import Alert, AlertStatus, Incident
from partners.models import Sector, Service
from protection.models import AuditEvent
from tests import factories
from tests.incidents.conftest import make_policy, report
from tests.incidents.test_pages import _form as incident_form
from tests.pages.conftest import CHILD, registration_post, signed_in, single_member_post
from tests.rows import changed_counts, row_counts, submission_tokens

pytestmark = pytest.mark.django_db


def _twice(client: Any, page: str, data: dict[str, Any], *, action: str | None = None) -> Any:
    """Send the page's form twice with its token; check the second saved nothing and led to
    where the first did. Return the first answer."""
    tokens = submission_tokens(client.get(page))
    assert tokens, f"{page} has no one-time token"
    sent = {**data, "submission_token": tokens[-1]}
    first = client.post(action or page, sent)
    assert first.status_code == 302, first.content.decode()[-3000:]
    before = row_counts()
    second = client.post(action or page, sent, follow=True)
    assert not changed_counts(before)
    assert second.redirect_chain[0][0] == first["Location"]
    assert "This form had already been sent; here is what it saved." in second.content.decode()
    return first


def test_a_household_registered_twice_is_registered_once(officer_client, site) -> None:
    first = _twice(
        officer_client, reverse("cases:household_register"), registration_post(site, [{}, CHILD])
    )
    household = Household.objects.get()
    assert first["Location"] == household.get_absolute_url()
    assert household.members.count() == 2


def test_a_member_added_twice_is_added_once(officer_client, household) -> None:
    people = DisplacedPerson.objects.count()
    newborn = {
        **CHILD,
        "given_name": "Baby",
        "family_name": "Deng",
        "estimated_age": "0",
        "displaced_on": "",
        "arrived_on": "",
    }
    _twice(
        officer_client,
        reverse("cases:household_add_member", args=[household.pk]),
        single_member_post(**newborn),
    )
    assert DisplacedPerson.objects.count() == people + 1


def test_an_incident_reported_twice_is_reported_once_and_alerts_once(officer, site) -> None:
    duty = factories.UserFactory(agency=officer.agency, role="protection_officer")
    make_policy(tiers=[{"users": [duty], "in_app": True}], minimum_severity=3)
    first = _twice(signed_in(officer), reverse("incidents:report"), incident_form(site))
    incident = Incident.objects.get()
    assert first["Location"] == reverse("incidents:detail", args=[incident.pk])
    assert Alert.objects.filter(incident=incident).count() == 1


def test_an_alert_acknowledged_twice_is_acknowledged_once(officer, site) -> None:
    duty = factories.UserFactory(agency=officer.agency, role="protection_officer")
    make_policy(tiers=[{"users": [duty], "in_app": True}], minimum_severity=3)
    (alert,) = report(officer, site=site, severity=4).alerts
    page = reverse("incidents:alert_detail", args=[alert.pk])

    _twice(
        signed_in(duty), page, {}, action=reverse("incidents:alert_acknowledge", args=[alert.pk])
    )

    assert Alert.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
    assert AuditEvent.objects.filter(action="alert.acknowledge").count() == 1


def test_a_service_listed_twice_is_listed_once(agency) -> None:
    supervisor = factories.UserFactory(agency=agency, role="supervisor")
    data = {
        "name": "Legal counselling",
        "sector": Sector.objects.get(code="legal_aid").pk,
        "description": "",
        "sites": [],
        "contact_name": "Grace",
        "contact_email": "legal@example.org",
        "contact_phone": "",
        "accepting_referrals": "on",
        "active": "on",
    }
    _twice(signed_in(supervisor), reverse("partners:service_add"), data)
    assert Service.objects.filter(name="Legal counselling").count() == 1


def test_one_users_token_is_not_anothers(officer, site) -> None:
    colleague = factories.UserFactory(agency=officer.agency, role="protection_officer")
    page = reverse("incidents:report")
    token = submission_tokens(signed_in(officer).get(page))[0]
    data = {**incident_form(site), "submission_token": token}

    for user in (officer, colleague):
        assert signed_in(user).post(page, data).status_code == 302

    assert Incident.objects.count() == 2
