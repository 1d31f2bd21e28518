"""Which sites a user sees, registered with the access policy (protection.access)."""

from django.db.models import Q, QuerySet

from camps.models import Site
from partners.models import PartnerAgency
from protection import access
from protection.accounts.models import User


def _sites(user: User, agency: PartnerAgency) -> QuerySet[Site]:
    """The sites the agency manages or operates in."""
    operating = Site.operating_agencies.through.objects.filter(partneragency_id=agency.pk).values(
        "site_id"
    )
    return Site.objects.filter(Q(managing_agency_id=agency.pk) | Q(pk__in=operating))


def register() -> None:
    access.register_scope(access.Records.SITES, Site, access.Action.VIEW_SITES, _sites)
