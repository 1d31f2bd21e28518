"""API routes for sites."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from camps.api.views import SiteViewSet
from camps.coordination.api import WhoWhatWhereView

router = SimpleRouter()
router.register("camps", SiteViewSet, basename="site")

urlpatterns = [
    *router.urls,
    path("who-does-what-where/", WhoWhatWhereView.as_view(), name="who-what-where"),
]
