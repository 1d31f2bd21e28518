"""App configuration for camps and sites."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampsConfig(AppConfig):
    name = "camps"
    verbose_name = _("Camps and sites")

    def ready(self) -> None:
        from camps import scopes
        from camps.countries import country_rows
        from camps.models import Country, SiteType
        from protection.reference_data import register_reference_list

        scopes.register()
        register_reference_list(SiteType, "camps/reference/site_types.json")
        register_reference_list(Country, country_rows)
