"""App configuration for partner agencies."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from partners import scopes
        from partners.models import Sector
        from protection.reference_data import register_reference_list

        scopes.register()
        register_reference_list(Sector, "partners/reference/sectors.json")
