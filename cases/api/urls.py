"""API routes for households and people, cases and their plans, approvals and referrals."""

from rest_framework.routers import SimpleRouter

from cases.api.casework_views import (
    ApprovalViewSet,
    CaseActionViewSet,
    CaseViewSet,
    ReceivedReferralViewSet,
    SentReferralViewSet,
)
from cases.api.views import HouseholdViewSet, PersonViewSet

router = SimpleRouter()
router.register("households", HouseholdViewSet, basename="household")
router.register("persons", PersonViewSet, basename="person")
router.register("cases", CaseViewSet, basename="case")
router.register("case-actions", CaseActionViewSet, basename="case-action")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("referrals/sent", SentReferralViewSet, basename="referral-sent")
router.register("referrals/received", ReceivedReferralViewSet, basename="referral-received")

urlpatterns = router.urls
