"""Which households and people a user sees, registered with the access policy."""

from django.db.models import QuerySet

from cases.models import DisplacedPerson, Household
from partners.models import PartnerAgency
from protection import access
from protection.accounts.models import User


def _households(user: User, agency: PartnerAgency) -> QuerySet[Household]:
    """The agency's own households, in the agency's sites."""
    return Household.objects.filter(
        owning_agency_id=agency.pk, site__in=access.sites_for(user).values("pk")
    )


def _people(user: User, agency: PartnerAgency) -> QuerySet[DisplacedPerson]:
    """The agency's own people, in the agency's sites."""
    return DisplacedPerson.objects.filter(
        owning_agency_id=agency.pk, site__in=access.sites_for(user).values("pk")
    )


def register() -> None:
    records, view = access.Records, access.Action.VIEW_PEOPLE
    access.register_scope(records.HOUSEHOLDS, Household, view, _households)
    access.register_scope(records.PEOPLE, DisplacedPerson, view, _people)
