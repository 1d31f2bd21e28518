"""Page routes of the sites, mounted at /camps/."""

from django.urls import path

from camps import views
from camps.coordination.views import who_what_where_page

app_name = "camps"
urlpatterns = [
    path("", views.site_list, name="list"),
    path("<int:pk>/", views.site_detail, name="detail"),
    path("who-does-what-where/", who_what_where_page, name="who_what_where"),
]
