"""API routes for sites."""

from rest_framework.routers import SimpleRouter

from camps.api.views import SiteViewSet

router = SimpleRouter()
router.register("camps", SiteViewSet, basename="site")

urlpatterns = router.urls
