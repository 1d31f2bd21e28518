"""The photo a referring agency shared with a referral, as the receiving partner sees it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET

from cases.casework.shared_identity import referral_photo_get
from cases.registry.photo import photo_response
from protection import access
from protection.access import Action
from protection.accounts.types import AuthenticatedHttpRequest


@login_required
@require_GET
def referral_received_photo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Send the shared photo; 404 unless the referral came to the user's agency with it."""
    access.require(request.user, Action.RESPOND_REFERRALS)
    return photo_response(referral_photo_get(user=request.user, pk=pk))
