"""Page routes of the sites, mounted at /camps/."""

from django.urls import path

from camps import views

app_name = "camps"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("<int:pk>/", views.site_detail, name="detail"),
]
