"""API routes of the indicators."""

from django.urls import path

from protection.monitoring.api.views import IndicatorsView

urlpatterns = [
    path("indicators/", IndicatorsView.as_view(), name="indicators-list"),
]
