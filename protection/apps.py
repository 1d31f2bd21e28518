"""The project package as an app: it owns the audit trail and the shared management commands."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "protection"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.contrib import admin

        from protection import admin_jsi18n, retention_kinds

        retention_kinds.register()
        # The two-list selector's words in the page's language (protection/admin_jsi18n.py).
        admin_jsi18n.install()
        # The admin speaks of the product, not of Django.
        admin.site.site_header = _("Protection case management: administration")
        admin.site.site_title = _("Protection administration")
        admin.site.index_title = _("Agencies, people with access, sites and reference lists")
