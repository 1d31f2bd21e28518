"""The referral directory: readable by every agency; each agency lists its own services."""

import pytest
from django.urls import reverse

from partners.models import Sector, Service
from protection.models import AuditEvent
from tests.casepages.conftest import body
from tests.casework.conftest import make_user
from tests.pages.conftest import signed_in

pytestmark = pytest.mark.django_db

DIRECTORY = "/partners/services/"


def _post(**overrides):
    data = {
        "name": "Legal counselling",
        "sector": Sector.objects.get(code="legal_aid").pk,
        "description": "Documentation and housing, land and property.",
        "sites": [],
        "contact_name": "Grace",
        "contact_email": "legal@example.org",
        "contact_phone": "",
        "accepting_referrals": "on",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_the_url_is_the_directory():
    assert reverse("partners:service_list") == DIRECTORY


@pytest.mark.parametrize("role", ["analyst", "case_worker", "partner_api"])
def test_every_agency_reads_the_directory(role, agency, service, other_agency):
    other = Service.objects.create(
        agency=other_agency, name="Food basket", sector=Sector.objects.get(code="food")
    )
    page = body(signed_in(make_user(agency, role, f"{role}_reader")).get(DIRECTORY))
    assert service.name in page and other.name in page
    assert "Add a service of your agency" not in page


def test_the_directory_filters_by_sector_and_site(
    worker_client, service, partner, site, other_site
):
    elsewhere = Service.objects.create(
        agency=partner, name="Legal clinic", sector=Sector.objects.get(code="legal_aid")
    )
    elsewhere.sites.set([other_site])

    gbv = worker_client.get(DIRECTORY, {"sector": "gbv"}).context["page"].items
    at_site = worker_client.get(DIRECTORY, {"site": site.pk}).context["page"].items

    assert gbv == [service]
    assert at_site == [service]  # serves every site; the clinic serves another one
    bad = worker_client.get(DIRECTORY, {"site": "999999"})
    assert "Correct the search fields" in body(bad) and service.name not in body(bad)


def test_a_supervisor_lists_a_service_of_their_agency(supervisor_client, supervisor, site):
    response = supervisor_client.post(reverse("partners:service_add"), _post(sites=[site.pk]))

    service = Service.objects.get(name="Legal counselling")
    assert response["Location"] == DIRECTORY
    assert service.agency == supervisor.agency
    assert list(service.sites.all()) == [site]
    assert AuditEvent.objects.filter(action="service.create", object_id=str(service.pk)).exists()
    assert "Legal counselling is listed in the directory." in body(supervisor_client.get(DIRECTORY))


def test_a_duplicate_or_incomplete_service_is_refused_and_nothing_written(
    supervisor_client, supervisor
):
    Service.objects.create(
        agency=supervisor.agency, name="Legal counselling", sector=Sector.objects.get(code="gbv")
    )
    events = AuditEvent.objects.count()

    duplicate = supervisor_client.post(
        reverse("partners:service_add"), _post(name="legal COUNSELLING")
    )
    incomplete = supervisor_client.post(
        reverse("partners:service_add"), _post(name="", contact_email="not an email")
    )

    assert "Your agency already lists a service by this name." in body(duplicate)
    assert "This field is required." in body(incomplete)
    assert "Enter a valid email address." in body(incomplete)
    assert Service.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_supervisor_edits_and_withdraws_their_agencys_service(supervisor_client, supervisor):
    service = Service.objects.create(
        agency=supervisor.agency, name="Safe house", sector=Sector.objects.get(code="shelter")
    )
    url = reverse("partners:service_edit", args=[service.pk])
    assert "Safe house" in body(supervisor_client.get(url))

    supervisor_client.post(
        url,
        _post(name="Safe house", sector=service.sector_id, accepting_referrals="", active=""),
    )

    service.refresh_from_db()
    assert (service.accepting_referrals, service.active) == (False, False)
    assert service.description == "Documentation and housing, land and property."
    assert AuditEvent.objects.filter(action="service.update", object_id=str(service.pk)).exists()


def test_another_agencys_service_may_be_read_but_not_edited(supervisor_client, service):
    url = reverse("partners:service_edit", args=[service.pk])
    assert supervisor_client.get(url).status_code == 403
    assert supervisor_client.post(url, _post()).status_code == 403
    service.refresh_from_db()
    assert service.name == "Clinical management of rape"


def test_a_withdrawn_service_of_another_agency_is_not_found(supervisor_client, service):
    service.active = False
    service.save(update_fields=["active"])
    assert (
        supervisor_client.get(reverse("partners:service_edit", args=[service.pk])).status_code
        == 404
    )
    assert service.name not in body(supervisor_client.get(DIRECTORY))


def test_a_role_without_service_management_is_refused(worker_client):
    assert worker_client.get(reverse("partners:service_add")).status_code == 403
    assert worker_client.post(reverse("partners:service_add"), _post()).status_code == 403
    assert not Service.objects.filter(name="Legal counselling").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (DIRECTORY, reverse("partners:service_add")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
