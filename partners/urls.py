"""Page routes of the referral directory, mounted at /partners/."""

from django.urls import path

from partners import views

app_name = "partners"
urlpatterns = [
    path("services/", views.service_list, name="service_list"),
    path("services/add/", views.service_add, name="service_add"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
]
