"""App configuration for the registry and protection cases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Registry and cases")

    def ready(self) -> None:
        from camps.census import register_census
        from cases.casework import exports as casework_exports
        from cases.casework import scopes as casework_scopes
        from cases.casework import subject as casework_subject
        from cases.casework.anonymisation import closed_cases_apply
        from cases.models import DisplacementStatus, Language, SpecificNeed, SpecificNeedCategory
        from cases.registry import exports as registry_exports
        from cases.registry import scopes as registry_scopes
        from cases.registry.anonymisation import departed_people_apply
        from cases.registry.population import RegistryCensus
        from protection import codes
        from protection.models import RetentionAction
        from protection.ownership import register_record
        from protection.reference_data import register_reference_list
        from protection.retention import RetentionKind, register_retention_kind

        registry_scopes.register()
        casework_scopes.register()
        casework_subject.register()
        registry_exports.register()
        casework_exports.register()
        register_census(RegistryCensus())
        # Cases first: a case's people are anonymised with it once nothing else keeps them.
        anonymise = RetentionAction.ANONYMISE
        register_retention_kind(
            RetentionKind("closed_cases", _("Closed cases"), anonymise, closed_cases_apply)
        )
        register_retention_kind(
            RetentionKind("departed_people", _("Departed people"), anonymise, departed_people_apply)
        )
        for model, name in (
            (DisplacementStatus, "displacement_statuses"),
            (SpecificNeedCategory, "specific_need_categories"),
            (SpecificNeed, "specific_needs"),
            (Language, "languages"),
        ):
            register_reference_list(model, f"cases/reference/{name}.json")
        register_record(
            "cases.displacedperson", "owning_agency_id", "registration_number", codes.PERSON_PREFIX
        )
        register_record("cases.household", "owning_agency_id", "code", codes.HOUSEHOLD_PREFIX)
        register_record(
            "cases.protectioncase", "owning_agency_id", "case_number", codes.CASE_PREFIX
        )
        register_record("cases.referral", "from_agency_id", "code", codes.REFERRAL_PREFIX)
