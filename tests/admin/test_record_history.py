"""Who read a record our agency owns, from any agency: the access log of one record in the admin."""

from typing import Any

import pytest
from django.urls import reverse

from cases.casework.selectors import referral_shared_get
from partners.models import Sector, Service
from protection.admin_history import access_log_url
from protection.models import AccessLog
from tests import factories
from tests.casework.conftest import make_agreement, make_user, open_case, refer
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:protection_accesslog_changelist"


@pytest.fixture
def partner_read(officer: Any, site: Any) -> tuple[Any, Any, AccessLog]:
    """A partner's case worker read a referral our officer made; return (referral, partner, row)."""
    partner: Any = factories.AgencyFactory(name="Health Partner", acronym="HP")
    make_agreement(officer.agency, partner)
    service = Service.objects.create(
        agency=partner, name="Clinic", sector=Sector.objects.get(code="health")
    )
    person = factories.register_household(actor=officer, site=site).members[0]
    referral = refer(officer, open_case(officer, person), service)
    reader = make_user(partner, "case_worker", "hp_worker")
    referral_shared_get(user=reader, pk=referral.pk)  # what the partner's page reads
    return referral, partner, AccessLog.objects.get(user=reader)


def _rows(response: Any) -> list[AccessLog]:
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_the_owning_agencys_admin_sees_a_partners_read_of_its_referral(
    client: Any, agency_admin: Any, partner_read: tuple[Any, Any, AccessLog]
) -> None:
    referral, partner, row = partner_read
    client.force_login(agency_admin)

    everyday = _rows(client.get(reverse(CHANGELIST)))
    by_record = _rows(client.get(access_log_url(referral)))
    by_code = _rows(client.get(reverse(CHANGELIST), {"q": referral.code}))
    detail = client.get(reverse("admin:protection_accesslog_change", args=[row.pk]))

    assert row not in everyday  # the agency's own readers only, until a record is named
    assert by_record == [row]
    assert row in by_code
    assert row.agency_id == partner.pk
    assert detail.status_code == 200


def test_another_agencys_admin_cannot_see_the_reads_of_a_record_it_does_not_own(
    client: Any, other_agency: Any, partner_read: tuple[Any, Any, AccessLog]
) -> None:
    referral, _partner, row = partner_read
    stranger = factories.UserFactory(agency=other_agency, role="admin", is_staff=True)
    client.force_login(stranger)

    assert _rows(client.get(access_log_url(referral))) == []
    assert _rows(client.get(reverse(CHANGELIST), {"q": referral.code})) == []
    detail = client.get(reverse("admin:protection_accesslog_change", args=[row.pk]))
    assert detail.status_code == 302  # "does not exist", back to the index


def test_a_persons_file_lists_every_reader_for_its_agencys_admin(
    client: Any, agency_admin: Any, officer: Any, site: Any
) -> None:
    person = factories.register_household(actor=officer, site=site).members[0]
    client.force_login(officer)
    client.get(reverse("cases:person_detail", args=[person.pk]))
    client.force_login(agency_admin)

    rows = _rows(client.get(reverse(CHANGELIST), {"q": person.registration_number}))

    assert [(row.user_id, row.object_id, row.purpose) for row in rows] == [
        (officer.pk, str(person.pk), "detail")
    ]


def test_the_incident_admin_links_to_who_read_the_incident(
    client: Any, agency_admin: Any, officer: Any, site: Any
) -> None:
    incident = report(officer, site=site).incident
    client.force_login(officer)
    client.get(reverse("incidents:detail", args=[incident.pk]))
    client.force_login(agency_admin)

    page = client.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    reads = _rows(client.get(access_log_url(incident)))

    assert access_log_url(incident).replace("&", "&amp;") in page.content.decode()
    assert [(row.user_id, row.object_type) for row in reads] == [(officer.pk, "incidents.incident")]
