"""The project package as an app: it owns the audit trail and the shared management commands."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "protection"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from protection import retention_kinds

        retention_kinds.register()
