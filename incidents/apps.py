"""App configuration for incidents and escalation alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents and alerts")

    def ready(self) -> None:
        from incidents import exports, scopes
        from incidents.models import IncidentType, PerpetratorCategory
        from incidents.reporting import subject
        from protection.ownership import register_record
        from protection.reference_data import register_reference_list

        scopes.register()
        subject.register()
        exports.register()
        register_reference_list(IncidentType, "incidents/reference/incident_types.json")
        register_reference_list(
            PerpetratorCategory, "incidents/reference/perpetrator_categories.json"
        )
        register_record("incidents.incident", "reporting_agency_id", "reference")
