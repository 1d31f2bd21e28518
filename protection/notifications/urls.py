"""Page routes of the inbox, mounted at /inbox/."""

from django.urls import path

from protection.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.notification_open, name="open"),
]
