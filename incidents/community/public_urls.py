"""The public reporting line, mounted at /report/: no sign-in."""

from django.urls import path

from incidents.community import public_views

app_name = "community"
urlpatterns = [
    path("", public_views.report_concern, name="report"),
    path("status/", public_views.report_status, name="status"),
]
