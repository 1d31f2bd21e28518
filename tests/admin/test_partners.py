"""Data-sharing agreements and services in the admin: written through services, audited."""

import datetime

import pytest
from django.urls import reverse

from partners.models import DataSharingAgreement, Sector, Service
from partners.services import agreement_create
from protection.models import AuditEvent

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:partners_datasharingagreement_changelist")


@pytest.fixture
def agreement(superuser, agency, other_agency):
    return agreement_create(
        actor=superuser,
        agency_one=agency,
        agency_two=other_agency,
        purposes=["referral"],
        data_categories=["identity"],
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
        reference="DSA-2026-01",
    )


def test_an_agreement_added_in_the_admin_goes_through_the_service(
    client, superuser, agency, other_agency
) -> None:
    client.force_login(superuser)

    response = client.post(
        reverse("admin:partners_datasharingagreement_add"),
        {
            "agency_one": agency.pk,
            "agency_two": other_agency.pk,
            "reference": " DSA-7 ",
            "purposes": ["statistics", "referral"],
            "data_categories": ["identity", "demographics"],
            "valid_from": "2026-01-01",
            "valid_to": "2027-01-01",
            "active": "on",
        },
    )

    assert response.status_code == 302
    created = DataSharingAgreement.objects.get()
    assert created.reference == "DSA-7"
    assert created.purposes == ["referral", "statistics"]
    event = AuditEvent.objects.get(action="agreement.create")
    assert event.object_id == str(created.pk)
    assert event.actor == superuser
    assert event.channel == "admin"


def test_an_agreement_between_an_agency_and_itself_is_a_form_error(
    client, superuser, agency
) -> None:
    client.force_login(superuser)
    response = client.post(
        reverse("admin:partners_datasharingagreement_add"),
        {
            "agency_one": agency.pk,
            "agency_two": agency.pk,
            "purposes": ["referral"],
            "data_categories": ["identity"],
            "valid_from": "2026-02-01",
            "valid_to": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not DataSharingAgreement.objects.exists()


def test_changing_an_agreement_audits_the_changed_terms_only(client, superuser, agreement) -> None:
    client.force_login(superuser)
    url = reverse("admin:partners_datasharingagreement_change", args=[agreement.pk])
    page = client.get(url)
    assert "agency_one" not in page.context["adminform"].form.fields

    response = client.post(
        url,
        {
            "reference": "DSA-2026-01",
            "purposes": ["referral"],
            "data_categories": ["identity", "contact"],
            "valid_from": "2026-01-01",
            "valid_to": "2026-06-30",
            "active": "on",
        },
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="agreement.update")
    assert event.changes == {
        "data_categories": [["identity"], ["contact", "identity"]],
        "valid_to": ["2026-12-31", "2026-06-30"],
    }


def test_agreements_are_suspended_not_deleted(client, superuser, agreement) -> None:
    client.force_login(superuser)
    delete_url = reverse("admin:partners_datasharingagreement_delete", args=[agreement.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403

    client.post(CHANGELIST, {"action": "suspend", "_selected_action": [agreement.pk]})

    agreement.refresh_from_db()
    assert not agreement.active
    event = AuditEvent.objects.get(action="agreement.update")
    assert event.changes == {"active": [True, False]}


def test_deactivating_a_service_is_audited(client, superuser, agency) -> None:
    service = Service.objects.create(
        agency=agency, name="Legal aid desk", sector=Sector.objects.earliest("pk")
    )
    client.force_login(superuser)

    client.post(
        reverse("admin:partners_service_changelist"),
        {"action": "deactivate", "_selected_action": [service.pk]},
    )

    service.refresh_from_db()
    assert not service.active
    assert AuditEvent.objects.get(action="service.deactivate").changes == {"active": [True, False]}
