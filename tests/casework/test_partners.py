"""The referral directory, data-sharing agreements, and transferring a case to another agency."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from cases.casework import handover, selectors
from partners import services as partner_services
from partners.models import DataCategory, Sector, Service, SharingPurpose
from partners.selectors import agreement_covering, service_get, service_list
from protection.audit_values import value_hash
from protection.models import AuditEvent
from tests.casework.conftest import make_agreement, make_user


@pytest.mark.parametrize("role", ["case_worker", "analyst", "partner_api", "admin"])
def test_every_agency_reads_the_directory(other_agency, service, role) -> None:
    reader = make_user(other_agency, role, f"reader_{role}")
    assert list(service_list(user=reader)) == [service]
    assert service_get(user=reader, pk=service.pk) == service


def test_an_inactive_service_is_listed_only_for_its_own_agency(
    service, partner_worker, worker
) -> None:
    service.active = False
    service.save(update_fields=["active"])
    assert list(service_list(user=partner_worker)) == [service]
    assert list(service_list(user=worker)) == []
    with pytest.raises(Http404):
        service_get(user=worker, pk=service.pk)


def test_directory_filters(worker, service, partner, site, other_site) -> None:
    everywhere = Service.objects.create(
        agency=partner, name="Legal clinic", sector=Sector.objects.get(code="legal_aid")
    )
    service.sites.set([other_site])
    assert list(service_list(user=worker, filters={"sector": "legal_aid"})) == [everywhere]
    assert list(service_list(user=worker, filters={"site": site.pk})) == [everywhere]
    assert set(service_list(user=worker, filters={"site": other_site.pk})) == {
        service,
        everywhere,
    }
    assert list(service_list(user=worker, filters={"q": "legal"})) == [everywhere]


def test_a_supervisor_lists_and_edits_a_service_of_their_agency(
    supervisor, worker, site, partner_supervisor, agency
) -> None:
    with pytest.raises(PermissionDenied):
        partner_services.service_create(
            actor=worker, name="Safe house", sector=Sector.objects.get(code="shelter")
        )
    created = partner_services.service_create(
        actor=supervisor,
        name="Safe house",
        sector=Sector.objects.get(code="shelter"),
        sites=[site],
    )
    assert created.agency == agency
    with pytest.raises(ValidationError):
        partner_services.service_create(
            actor=supervisor, name="safe HOUSE", sector=Sector.objects.get(code="shelter")
        )

    partner_services.service_update(
        actor=supervisor, service=created, changes={"accepting_referrals": False}
    )
    assert AuditEvent.objects.get(action="service.update").changes == {
        "accepting_referrals": [True, False]
    }
    with pytest.raises(PermissionDenied):
        partner_services.service_update(
            actor=partner_supervisor, service=created, changes={"name": "Mine"}
        )


def test_an_agreement_covers_both_directions_and_only_its_terms(agency, partner) -> None:
    make_agreement(agency, partner, data_categories=[DataCategory.IDENTITY])
    today = timezone.localdate()

    def covering(one, two, categories, on=today, purpose=SharingPurpose.REFERRAL):
        return agreement_covering(
            agency_a=one, agency_b=two, on=on, purpose=purpose, categories=categories
        )

    assert covering(agency, partner, [DataCategory.IDENTITY]) is not None
    assert covering(partner, agency, [DataCategory.IDENTITY]) is not None
    assert covering(agency, partner, [DataCategory.CONTACT]) is None
    assert covering(agency, partner, [DataCategory.IDENTITY], purpose="statistics") is None
    assert covering(agency, partner, [], on=today + datetime.timedelta(days=400)) is None


def test_an_admin_of_one_party_records_an_agreement(agency, partner, other_agency) -> None:
    admin = make_user(agency, "admin", "mpu_admin")
    outsider = make_user(other_agency, "admin", "orl_admin")
    terms = {
        "agency_one": agency,
        "agency_two": partner,
        "purposes": ["referral"],
        "data_categories": ["identity", "contact"],
        "valid_from": timezone.localdate(),
        "valid_to": timezone.localdate() + datetime.timedelta(days=90),
    }
    with pytest.raises(PermissionDenied):
        partner_services.agreement_create(actor=outsider, **terms)
    with pytest.raises(ValidationError):
        partner_services.agreement_create(actor=admin, **{**terms, "purposes": ["gossip"]})

    agreement = partner_services.agreement_create(actor=admin, **terms)
    partner_services.agreement_update(actor=admin, agreement=agreement, changes={"active": False})
    agreement.refresh_from_db()
    assert not agreement.active
    assert AuditEvent.objects.filter(object_type="partners.datasharingagreement").count() == 2


def test_a_case_transfer_needs_consent_to_share_and_an_agreement(
    supervisor, worker, case, partner, partner_supervisor, partner_worker
) -> None:
    with pytest.raises(PermissionDenied):
        handover.case_transfer(actor=worker, case=case, agency=partner, reason="Specialist.")
    with pytest.raises(ValidationError) as error:
        handover.case_transfer(actor=supervisor, case=case, agency=partner, reason="Specialist.")
    assert "No active data-sharing agreement" in str(error.value)

    make_agreement(case.owning_agency, partner, purposes=[SharingPurpose.CASE_TRANSFER])
    handover.case_transfer(actor=supervisor, case=case, agency=partner, reason="Specialist.")

    case.refresh_from_db()
    assert case.owning_agency == partner and case.assigned_to is None
    assert case not in selectors.case_list(user=worker)
    assert case in selectors.case_list(user=partner_supervisor, filters={"unassigned": "true"})
    handover.case_reassign(
        actor=partner_supervisor, case=case, assigned_to=partner_worker, reason="Intake."
    )
    assert case in selectors.case_list(user=partner_worker)
    event = AuditEvent.objects.get(action="case.transfer")
    assert event.changes["owning_agency"] == [supervisor.agency_id, partner.pk]
    assert event.changes["reason"] == [None, value_hash("reason", "Specialist.")]


def test_no_transfer_when_the_person_consented_to_registration_only(
    supervisor, worker, officer, site, partner
) -> None:
    from tests import factories
    from tests.casework.conftest import open_case

    person = factories.register_household(
        actor=officer, site=site, members=[{"given_name": "Achol", "family_name": "Deng"}]
    ).members[0]
    case = open_case(worker, person)
    make_agreement(case.owning_agency, partner, purposes=[SharingPurpose.CASE_TRANSFER])
    with pytest.raises(ValidationError) as error:
        handover.case_transfer(actor=supervisor, case=case, agency=partner, reason="Move.")
    assert "consent" in str(error.value)
