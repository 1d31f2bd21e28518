"""Admin for the registry's reference lists, and the legal holds on people and cases.

People, households and cases are not edited here: their writes go through the services (the
pages and the API), which check the agency, validate and audit. The only change the admin
makes to them is a legal hold, placed or lifted through cases.registry.anonymisation and
cases.casework.anonymisation.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.casework.anonymisation import case_legal_hold_set
from cases.models import (
    DisplacedPerson,
    DisplacementStatus,
    Language,
    PersonOnHold,
    ProtectionCase,
    SpecificNeed,
    SpecificNeedCategory,
)
from cases.registry.anonymisation import person_legal_hold_set
from protection import access
from protection.access import Action
from protection.accounts.services import is_agency_admin, is_superuser
from protection.admin import ReferenceItemAdmin
from protection.admin_services import NOT_ALLOWED, acting_user


@admin.register(DisplacementStatus)
class DisplacementStatusAdmin(ReferenceItemAdmin):
    """UNHCR population types."""


@admin.register(SpecificNeedCategory)
class SpecificNeedCategoryAdmin(ReferenceItemAdmin):
    """UNHCR specific-needs categories."""


@admin.register(Language)
class LanguageAdmin(ReferenceItemAdmin):
    """Languages by ISO 639 code, for people's language and communication needs."""


@admin.register(SpecificNeed)
class SpecificNeedAdmin(ReferenceItemAdmin):
    """UNHCR specific-needs codes; the category is fixed with the code (age rules read it)."""

    list_display = ("code", "name", "name_fr", "name_ar", "category", "active", "sort_order")
    list_filter = ("active", "category")
    list_select_related = ("category",)
    fields = ("code", "category", "name", "name_fr", "name_ar", "active", "sort_order")


class LegalHoldAdmin(admin.ModelAdmin[Any]):
    """A record under a legal hold is kept as it is, whatever retention says: the admin lists
    an agency's records by code (never by name) and places or lifts holds through the
    services, which check the role and audit. Nothing else is changed here."""

    list_filter = ("legal_hold",)
    actions = ("hold_place", "hold_lift")
    hold_service: Any = None

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        rows = super().get_queryset(request)
        if is_superuser(request.user):
            return rows
        return rows.filter(owning_agency_id=getattr(request.user, "agency_id", None))

    def _allowed(self, request: HttpRequest) -> bool:
        return is_superuser(request.user) or (
            is_agency_admin(request.user) and access.can(request.user, Action.MANAGE_LEGAL_HOLDS)
        )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _hold(self, request: HttpRequest, queryset: QuerySet[Any], hold: bool) -> None:
        changed = 0
        try:
            for record in queryset:
                changed += bool(
                    self.hold_service(actor=acting_user(request), record=record, hold=hold)
                )
        except PermissionDenied:
            self.message_user(request, NOT_ALLOWED, messages.ERROR)
            return
        self.message_user(
            request,
            ngettext("%(count)d record changed.", "%(count)d records changed.", changed)
            % {"count": changed},
        )

    @admin.action(description=_("Place under legal hold"))
    def hold_place(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._hold(request, queryset, True)

    @admin.action(description=_("Lift the legal hold"))
    def hold_lift(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        self._hold(request, queryset, False)


def _person_hold(*, actor: Any, record: DisplacedPerson, hold: bool) -> bool:
    return person_legal_hold_set(actor=actor, person=record, hold=hold)


def _case_hold(*, actor: Any, record: ProtectionCase, hold: bool) -> bool:
    return case_legal_hold_set(actor=actor, case=record, hold=hold)


@admin.register(PersonOnHold)
class PersonLegalHoldAdmin(LegalHoldAdmin):
    """People, by registration number: their legal holds."""

    list_display = ("registration_number", "site", "status", "legal_hold", "anonymised_on")
    list_select_related = ("site",)
    search_fields = ("=registration_number",)
    fields = ("registration_number", "site", "status", "legal_hold", "anonymised_on")
    readonly_fields = fields
    hold_service = staticmethod(_person_hold)


@admin.register(ProtectionCase)
class CaseLegalHoldAdmin(LegalHoldAdmin):
    """Protection cases, by case number (what a case's name is): their legal holds."""

    list_display = ("case_number", "status", "closed_on", "legal_hold", "anonymised_on")
    search_fields = ("=case_number",)
    fields = ("case_number", "status", "closed_on", "legal_hold", "anonymised_on")
    readonly_fields = fields
    hold_service = staticmethod(_case_hold)


# Identity documents and biometric references: their own admin (cases/admin_identifiers.py).
from cases import admin_identifiers  # noqa: E402, F401
