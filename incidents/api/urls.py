"""API routes for incidents and alerts."""

from rest_framework.routers import SimpleRouter

from incidents.api.views import AlertViewSet, IncidentViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
router.register("alerts", AlertViewSet, basename="alert")

urlpatterns = router.urls
