"""API routes for the agency directory, the referral directory and sharing agreements."""

from rest_framework.routers import SimpleRouter

from partners.api.views import AgencyViewSet, AgreementViewSet, ServiceViewSet

router = SimpleRouter()
router.register("agencies", AgencyViewSet, basename="agency")
router.register("services", ServiceViewSet, basename="service")
router.register("agreements", AgreementViewSet, basename="agreement")

urlpatterns = router.urls
