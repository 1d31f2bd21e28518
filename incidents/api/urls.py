"""API routes for incidents and alerts."""

from rest_framework.routers import SimpleRouter

from incidents.api.views import AlertViewSet, IncidentViewSet
from incidents.community.api import CommunityReportViewSet
from incidents.drills.api import DrillViewSet
from incidents.events.api import IncidentEventViewSet
from incidents.zones.api import CorridorViewSet, SafeZoneViewSet

router = SimpleRouter()
router.register("incidents", IncidentViewSet, basename="incident")
# Detail actions only, under the same prefix: /incidents/{id}/same-event…, link, unlink, primary.
router.register("incidents", IncidentEventViewSet, basename="incident-event")
router.register("alerts", AlertViewSet, basename="alert")
router.register("community-reports", CommunityReportViewSet, basename="community-report")
router.register("drills", DrillViewSet, basename="drill")
router.register("safe-zones", SafeZoneViewSet, basename="safe-zone")
router.register("corridors", CorridorViewSet, basename="corridor")

urlpatterns = router.urls
