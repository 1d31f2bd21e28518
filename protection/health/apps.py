"""App configuration for the pipeline's health: the beat heartbeat and the figures admins see."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "protection.health"
    label = "health"
    verbose_name = _("Pipeline health")
