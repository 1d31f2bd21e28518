"""Page routes of incidents and alerts, mounted at /incidents/."""

from django.urls import path

from incidents import views
from incidents.community import views as community
from incidents.drills import views as drills
from incidents.events import views as events
from incidents.zones import views as zones

app_name = "incidents"
urlpatterns = [
    path("", views.incident_list, name="list"),
    path("report/", views.incident_report, name="report"),
    path("map/", views.incident_map, name="map"),
    path("map/data.json", views.incident_map_data, name="map_data"),
    path("<int:pk>/", views.incident_detail, name="detail"),
    path("<int:pk>/update/", views.incident_update, name="update"),
    path("<int:pk>/same-event/", events.event_detail, name="event"),
    path("<int:pk>/link/", events.incident_link, name="link"),
    path("<int:pk>/unlink/", events.incident_unlink, name="unlink"),
    path("<int:pk>/primary/", events.incident_primary, name="primary"),
    path("community/", community.triage_list, name="community_list"),
    path("community/<int:pk>/", community.triage_detail, name="community_detail"),
    path("drills/", drills.drill_list, name="drill_list"),
    path("drills/<int:pk>/", drills.drill_detail, name="drill_detail"),
    path("drills/<int:pk>/end/", drills.drill_end, name="drill_end"),
    path("safe-zones/", zones.safe_zone_list, name="safe_zone_list"),
    path("safe-zones/<int:pk>/", zones.safe_zone_detail, name="safe_zone_detail"),
    path("corridors/", zones.corridor_list, name="corridor_list"),
    path("corridors/<int:pk>/", zones.corridor_detail, name="corridor_detail"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
]
