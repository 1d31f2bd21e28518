"""API routes of protection casework: cases and their plans, approvals and referrals."""

from rest_framework.routers import SimpleRouter

from cases.casework.api.views.approvals import ApprovalViewSet
from cases.casework.api.views.cases import CaseViewSet
from cases.casework.api.views.plan import CaseActionViewSet
from cases.casework.api.views.referrals import ReceivedReferralViewSet, SentReferralViewSet

router = SimpleRouter()
router.register("cases", CaseViewSet, basename="case")
router.register("case-actions", CaseActionViewSet, basename="case-action")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("referrals/sent", SentReferralViewSet, basename="referral-sent")
router.register("referrals/received", ReceivedReferralViewSet, basename="referral-received")

urlpatterns = router.urls
