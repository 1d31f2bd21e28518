"""Page routes, the admin, and the API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

from protection import fieldmode, fieldsync, views
from protection.health import views as health_views

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("protection.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("camps/", include("camps.urls")),
    path("registry/", include("cases.urls")),
    path("partners/", include("partners.urls")),
    path("incidents/", include("incidents.urls")),
    path("exports/", include("protection.export_views")),
    path("inbox/", include("protection.notifications.urls")),
    path("dashboard/", include("protection.monitoring.urls")),
    # The pipeline's health, a page of the admin (staff only; see protection.health.views).
    path(
        "admin/pipeline/",
        admin.site.admin_view(health_views.pipeline_page),
        name="pipeline_health",
    ),
    path("admin/", admin.site.urls),
    path("api/v1/", include("protection.api")),
    path("healthz", views.healthz, name="healthz"),
    # Field mode: the service worker (scope /), the app's manifest, the key of the offline queue.
    path("sw.js", fieldmode.service_worker, name="field_service_worker"),
    path("manifest.webmanifest", fieldmode.manifest, name="field_manifest"),
    path("field/key", fieldmode.field_key, name="field_key"),
    path("field/sync", fieldsync.field_sync, name="field_sync"),
    # The community reporting line: public, no sign-in (incidents.community.public_views).
    path("report/", include("incidents.community.public_urls")),
    path("health/", include("protection.health.urls")),
]

# Under /api/ these answer JSON, as every API error does; elsewhere the site's pages.
handler400 = "protection.errors.bad_request"
handler403 = "protection.errors.permission_denied"
handler404 = "protection.errors.page_not_found"
handler500 = "protection.errors.server_error"
