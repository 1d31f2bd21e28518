"""Page routes of the dashboards and the monitoring report, mounted at /dashboard/."""

from django.urls import path

from protection.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("sites/<int:pk>/", views.site_situation, name="site"),
    path("mission/", views.mission, name="mission"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
]
