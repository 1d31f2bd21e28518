"""The referral directory over the API, and the data-sharing agreements an agency may read."""

import datetime

import pytest

from partners.models import Sector, Service
from protection.models import AuditEvent
from tests import factories
from tests.api.casework_setup import *  # noqa: F403
from tests.casework.conftest import make_agreement, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(agency, partner, other_agency, site, other_site, service):
    """The partner's GBV service (every site), a legal aid service of the agency at its site,
    a shelter service of another agency elsewhere that stopped taking referrals, and a
    withdrawn service."""
    legal = Service.objects.create(
        agency=agency, name="Legal counselling", sector=Sector.objects.get(code="legal_aid")
    )
    legal.sites.set([site])
    shelter = Service.objects.create(
        agency=other_agency,
        name="Safe shelter",
        sector=Sector.objects.get(code="shelter"),
        accepting_referrals=False,
    )
    shelter.sites.set([other_site])
    withdrawn = Service.objects.create(
        agency=partner,
        name="Mobile clinic",
        sector=Sector.objects.get(code="health"),
        active=False,
    )
    return {"gbv": service, "legal": legal, "shelter": shelter, "withdrawn": withdrawn}


@pytest.mark.parametrize(
    "role",
    ["admin", "supervisor", "protection_officer", "case_worker", "partner_api", "analyst"],
)
def test_every_role_reads_the_directory(client_for, agency, directory, role) -> None:
    api = client_for(make_user(agency, role, f"reader_{role}"))

    response = api.get("/api/v1/services/")

    assert response.status_code == 200
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"Clinical management of rape", "Legal counselling", "Safe shelter"}


def test_filter_the_directory(officer_api, directory, site, other_site, partner) -> None:
    def names(**params) -> set[str]:
        response = officer_api.get("/api/v1/services/", params)
        assert response.status_code == 200
        return {row["name"] for row in response.json()["results"]}

    assert names(sector="gbv") == {"Clinical management of rape"}
    assert names(agency=partner.pk) == {"Clinical management of rape"}
    # A service that lists no site serves every site.
    assert names(site=site.pk) == {"Clinical management of rape", "Legal counselling"}
    assert names(site=other_site.pk) == {"Clinical management of rape", "Safe shelter"}
    assert names(accepting_referrals="false") == {"Safe shelter"}
    assert names(q="legal") == {"Legal counselling"}


def test_a_bad_filter_answers_400(officer_api, directory) -> None:
    response = officer_api.get("/api/v1/services/", {"agency": "everyone"})

    assert response.status_code == 400
    assert "agency" in response.json()


def test_show_a_service(officer_api, directory, site) -> None:
    legal = directory["legal"]

    response = officer_api.get(f"/api/v1/services/{legal.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["sector"], body["sites"], body["agency_name"]) == ("legal_aid", [site.pk], "MPU")


def test_a_withdrawn_service_of_another_agency_is_not_found(officer_api, directory) -> None:
    response = officer_api.get(f"/api/v1/services/{directory['withdrawn'].pk}/")

    assert response.status_code == 404


def test_list_a_service(supervisor, supervisor_api, site, agency) -> None:
    response = supervisor_api.post(
        "/api/v1/services/",
        {
            "name": "Psychosocial support group",
            "sector": "psychosocial",
            "sites": [site.pk],
            "contact_email": "pss@example.org",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["agency"], body["sites"], body["accepting_referrals"]) == (
        agency.pk,
        [site.pk],
        True,
    )
    assert AuditEvent.objects.filter(action="service.create", actor=supervisor).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sector": "astrology"}, "sector"),
        ({"name": "legal COUNSELLING"}, "name"),
        ({"name": ""}, "name"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"sites": ["other_site"]}, "sites"),
    ],
)
def test_a_bad_service_writes_nothing(
    supervisor_api, directory, other_site, overrides, field
) -> None:
    before = Service.objects.count()
    body = {"name": "Psychosocial support group", "sector": "psychosocial", **overrides}
    if body.get("sites") == ["other_site"]:
        body["sites"] = [other_site.pk]

    response = supervisor_api.post("/api/v1/services/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Service.objects.count() == before


def test_a_case_worker_does_not_manage_services(worker_api, directory) -> None:
    created = worker_api.post("/api/v1/services/", {"name": "x", "sector": "health"}, format="json")
    changed = worker_api.patch(
        f"/api/v1/services/{directory['legal'].pk}/", {"name": "y"}, format="json"
    )

    assert created.status_code == changed.status_code == 403


def test_stop_accepting_referrals(supervisor_api, directory) -> None:
    legal = directory["legal"]

    response = supervisor_api.patch(
        f"/api/v1/services/{legal.pk}/",
        {"accepting_referrals": False, "sites": []},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["accepting_referrals"] is False
    assert response.json()["sites"] == []


def test_a_bad_change_writes_nothing(supervisor_api, directory) -> None:
    legal = directory["legal"]

    response = supervisor_api.patch(
        f"/api/v1/services/{legal.pk}/", {"sector": "astrology", "name": "New"}, format="json"
    )

    assert response.status_code == 400
    legal.refresh_from_db()
    assert legal.name == "Legal counselling"


def test_another_agencys_service_is_read_only(supervisor_api, directory) -> None:
    gbv = directory["gbv"]

    visible = supervisor_api.patch(
        f"/api/v1/services/{gbv.pk}/", {"accepting_referrals": False}, format="json"
    )
    withdrawn = supervisor_api.patch(
        f"/api/v1/services/{directory['withdrawn'].pk}/", {"active": True}, format="json"
    )

    assert visible.status_code == 403
    assert withdrawn.status_code == 404
    gbv.refresh_from_db()
    assert gbv.accepting_referrals is True


def test_an_agency_reads_its_own_agreements(
    client_for, officer_api, agency, partner, other_agency
) -> None:
    ours = make_agreement(partner, agency, reference="DSA-2026-07")
    lapsed = make_agreement(
        agency,
        other_agency,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    theirs = make_agreement(partner, other_agency)

    listed = officer_api.get("/api/v1/agreements/").json()["results"]
    in_force = officer_api.get("/api/v1/agreements/", {"in_force": "true"}).json()["results"]
    with_partner = officer_api.get("/api/v1/agreements/", {"agency": partner.pk}).json()
    shown = officer_api.get(f"/api/v1/agreements/{ours.pk}/")
    hidden = officer_api.get(f"/api/v1/agreements/{theirs.pk}/")
    partner_view = client_for(factories.UserFactory(agency=partner, role="partner_api"))

    assert {row["id"]: row["in_force"] for row in listed} == {ours.pk: True, lapsed.pk: False}
    assert [row["id"] for row in in_force] == [ours.pk]
    assert [row["id"] for row in with_partner["results"]] == [ours.pk]
    assert shown.status_code == 200
    assert shown.json()["reference"] == "DSA-2026-07"
    assert hidden.status_code == 404
    partner_rows = partner_view.get("/api/v1/agreements/").json()["results"]
    assert {row["id"] for row in partner_rows} == {ours.pk, theirs.pk}
