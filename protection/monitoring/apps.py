"""App configuration for monitoring: dashboards, indicators and the monitoring report."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "protection.monitoring"
    label = "monitoring"
    verbose_name = _("Monitoring")
