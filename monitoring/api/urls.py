"""API routes of the indicators."""

from rest_framework.routers import SimpleRouter

from monitoring.api.views import IndicatorViewSet

router = SimpleRouter()
router.register("indicators", IndicatorViewSet, basename="indicators")

urlpatterns = router.urls
