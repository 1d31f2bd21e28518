"""Page routes, the admin, and the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from protection import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("protection.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("camps/", include("camps.urls")),
    path("registry/", include("cases.urls")),
    path("partners/", include("partners.urls")),
    path("incidents/", include("incidents.urls")),
    path("inbox/", include("protection.notifications.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("protection.api")),
    path("healthz", views.healthz, name="healthz"),
]
