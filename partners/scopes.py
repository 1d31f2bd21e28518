"""Which services and data-sharing agreements a user sees, registered with the access policy."""

from django.db.models import Q, QuerySet

from partners.models import DataSharingAgreement, PartnerAgency, Service
from protection import access
from protection.accounts.models import User


def _services(user: User, agency: PartnerAgency) -> QuerySet[Service]:
    """The referral directory: every agency's active services, and the agency's own."""
    return Service.objects.filter(Q(active=True, agency__active=True) | Q(agency_id=agency.pk))


def _agreements(user: User, agency: PartnerAgency) -> QuerySet[DataSharingAgreement]:
    """The agreements that bind the agency, on either side."""
    return DataSharingAgreement.objects.filter(
        Q(agency_one_id=agency.pk) | Q(agency_two_id=agency.pk)
    )


def register() -> None:
    records, view = access.Records, access.Action.VIEW_SERVICES
    access.register_scope(records.SERVICES, Service, view, _services)
    access.register_scope(records.AGREEMENTS, DataSharingAgreement, view, _agreements)
