"""Routes of the health answers, mounted at /health/ (the admin page lives under /admin/)."""

from django.urls import path

from protection.health import views

app_name = "health"
urlpatterns = [
    path("live", views.live, name="live"),
    path("pipeline", views.pipeline, name="pipeline"),
    path("metrics", views.prometheus_metrics, name="metrics"),
]
