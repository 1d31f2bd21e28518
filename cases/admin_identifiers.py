"""Admin of people's identity documents and biometric references.

The admin lists them by the person's registration number, the kind, the document type or
system and the issuing country, never the number itself; it finds one by the exact number
(through the keyed hash, protection.crypto.blind_index) and removes one through the service,
which checks the role and audits. It adds nothing: identifiers are recorded on the person's
page or through the API, where the officer sees the person.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from cases.models import PersonIdentifier, PersonPhoto
from cases.registry.identifiers import number_hash, person_identifier_remove
from protection import access
from protection.access import Action
from protection.accounts.services import is_agency_admin, is_superuser
from protection.admin_services import NOT_ALLOWED, acting_user


@admin.register(PersonIdentifier)
class PersonIdentifierAdmin(admin.ModelAdmin[PersonIdentifier]):
    """Documents and biometric references, by person code; search by the exact number."""

    list_display = (
        "person_code",
        "kind",
        "scheme_label",
        "issuing_country",
        "photo_held",
        "recorded_at",
    )
    list_filter = ("kind",)
    list_select_related = ("person", "issuing_country")
    search_fields = ("=number_hash",)
    search_help_text = _("The exact document number or biometric id.")
    fields = ("person_code", "kind", "scheme_label", "issuing_country", "recorded_at")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[PersonIdentifier]:
        rows = (
            super()
            .get_queryset(request)
            .annotate(has_photo=Exists(PersonPhoto.objects.filter(person_id=OuterRef("person_id"))))
        )
        if is_superuser(request.user):
            return rows
        return rows.filter(person__in=access.people_for(acting_user(request)))

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[PersonIdentifier], search_term: str
    ) -> tuple[QuerySet[PersonIdentifier], bool]:
        """Search the keyed hash of the typed number: the database holds no number in clear."""
        if not search_term.strip():
            return queryset, False
        return queryset.filter(number_hash=number_hash(search_term)), False

    @admin.display(description=_("registration number"), ordering="person__registration_number")
    def person_code(self, obj: PersonIdentifier) -> str:
        return obj.person.registration_number

    @admin.display(description=_("photo held"), boolean=True)
    def photo_held(self, obj: PersonIdentifier) -> bool:
        return bool(getattr(obj, "has_photo", False))

    def _allowed(self, request: HttpRequest) -> bool:
        return is_superuser(request.user) or (
            is_agency_admin(request.user) and access.can(request.user, Action.VIEW_PEOPLE)
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request) and access.can(request.user, Action.EDIT_PEOPLE)

    def delete_model(self, request: HttpRequest, obj: PersonIdentifier) -> None:
        self._remove(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[PersonIdentifier]) -> None:
        self._remove(request, list(queryset.select_related("person")))

    def _remove(self, request: HttpRequest, identifiers: list[PersonIdentifier]) -> None:
        for identifier in identifiers:
            try:
                person_identifier_remove(actor=acting_user(request), identifier=identifier)
            except (PermissionDenied, ValidationError):
                self.message_user(request, NOT_ALLOWED, messages.ERROR)
                return
