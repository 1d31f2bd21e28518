"""Which cases and referrals a user sees, registered with the access policy."""

from django.db.models import Q, QuerySet

from cases.models import ProtectionCase, Referral
from partners.models import PartnerAgency
from protection import access
from protection.accounts.models import User


def _cases(user: User, agency: PartnerAgency) -> QuerySet[ProtectionCase]:
    """Supervisors: every case of the agency. Other casework roles: the agency's
    non-confidential cases and the confidential ones assigned to them."""
    cases = ProtectionCase.objects.filter(owning_agency_id=agency.pk)
    if access.can(user, access.Action.SUPERVISE_CASES):
        return cases
    return cases.filter(Q(confidential=False) | Q(assigned_to_id=user.pk))


def _referrals_sent(user: User, agency: PartnerAgency) -> QuerySet[Referral]:
    """The referrals made from the cases the user may see."""
    return Referral.objects.filter(case__in=access.cases_for(user).values("pk"))


def _referrals_received(user: User, agency: PartnerAgency) -> QuerySet[Referral]:
    """The referrals sent to the agency (never those not yet sent)."""
    return Referral.objects.filter(to_agency_id=agency.pk, sent_at__isnull=False)


def register() -> None:
    records, action = access.Records, access.Action
    access.register_scope(records.CASES, ProtectionCase, action.VIEW_CASES, _cases)
    access.register_scope(records.REFERRALS_SENT, Referral, action.VIEW_CASES, _referrals_sent)
    access.register_scope(
        records.REFERRALS_RECEIVED, Referral, action.RESPOND_REFERRALS, _referrals_received
    )
