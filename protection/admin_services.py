"""The admin as one more caller of the services: the service validates, then the service writes.

A model admin that mixes in `ServiceModelAdmin` gets a change form whose validation ends by
running the service's own validation (`service_validate`), so a rule the service enforces
shows up as a form error on the change or add form, with the service's message, and nothing
is written. The write itself happens in `save_model` (or `save_related`, for a parent with
its inlines), which calls the service; the admin never saves a row by itself and never
records an audit event of its own. Deleting is refused unless the admin routes it to a
service too (`delete_model`).

Rows that services write and nobody changes by hand (deliveries, incidents, alerts, snapshots,
API keys) use `ReadOnlyModelAdmin`, or `AgencyAdminsReadOnlyModelAdmin` when only superusers
and agency administrators may look at them.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Model, QuerySet
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from protection import access
from protection.accounts.services import is_agency_admin, is_superuser

if TYPE_CHECKING:
    from partners.models import PartnerAgency
    from protection.accounts.models import User

ModelT = TypeVar("ModelT", bound=Model)

NOT_ALLOWED = _("You are not allowed to make this change.")


def acting_user(request: HttpRequest) -> "User":
    """Return the signed-in user making an admin change (the admin requires one)."""
    return cast("User", request.user)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: under its field when shown, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        if name in form.fields and name != NON_FIELD_ERRORS:
            form.add_error(name, errors)
        else:
            form.add_error(None, errors)


class ServiceModelAdmin(admin.ModelAdmin[ModelT]):
    """A model admin whose writes go through services; see the module docstring."""

    def service_validate(self, request: HttpRequest, form: "forms.ModelForm[ModelT]") -> None:
        """Raise the service's ValidationError for the values in the form (already cleaned).

        `form.instance` carries the form's values (ModelForm has applied them), and
        `form.cleaned_data` the many-to-many ones. The default has nothing to add.
        """

    def get_form(
        self, request: HttpRequest, obj: ModelT | None = None, change: bool = False, **kwargs: Any
    ) -> "type[forms.ModelForm[ModelT]]":
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceValidatedForm(base):  # type: ignore[misc,valid-type]
            def _post_clean(self) -> None:
                if self._errors:
                    # A field is missing or malformed: the service has nothing to judge yet.
                    super()._post_clean()
                    return
                super()._post_clean()
                try:
                    model_admin.service_validate(request, self)
                except ValidationError as error:
                    # The service's messages say it better than a constraint's name would.
                    stale: ErrorDict = self._errors
                    stale.clear()
                    add_service_errors(self, error)
                except PermissionDenied as error:
                    self.add_error(None, str(error) or str(NOT_ALLOWED))

        ServiceValidatedForm.__name__ = base.__name__
        return ServiceValidatedForm

    def save_related(
        self,
        request: HttpRequest,
        form: "forms.ModelForm[ModelT]",
        formsets: "Sequence[forms.BaseModelFormSet[Any, Any]]",
        change: bool,
    ) -> None:
        """Nothing to save here: the service called from save_model wrote the related rows."""
        for formset in formsets:
            # The admin's change message reads these; the service did the writing.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        # Records point to these rows: they are deactivated or closed by a service instead.
        return False

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[ModelT]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyModelAdmin(admin.ModelAdmin[ModelT]):
    """Rows written by services only: nobody adds, changes or deletes them in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False


class AgencyAdminsReadOnlyModelAdmin(ReadOnlyModelAdmin[ModelT]):
    """Rows written by services only, that superusers and agency administrators may look at."""

    def has_view_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return is_superuser(request.user) or is_agency_admin(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)


def administered_agency(request: HttpRequest) -> "PartnerAgency | None":
    """Return the agency the signed-in agency administrator manages (None for anyone else)."""
    user = acting_user(request)
    return user.agency if is_agency_admin(user) else None


class AgencyScopedAdminMixin(admin.ModelAdmin[ModelT]):
    """An agency administrator sees and manages only the rows of their own agency.

    A platform superuser keeps Django's permissions (everything). An agency administrator may
    open the model, view and add rows, and change the rows `agency_may_change` allows, among
    those `agency_rows` returns; another agency's row answers 404, as on the pages and the API.
    The services called by the admin check the same rules again when writing.
    """

    # Whether an agency administrator may add rows (their agency's), or change any, here.
    agency_admins_add = True
    agency_admins_change = True

    def agency_rows(
        self, request: HttpRequest, queryset: QuerySet[ModelT], agency: "PartnerAgency"
    ) -> QuerySet[ModelT]:
        """Return the rows of the queryset the agency's administrator may see."""
        raise NotImplementedError

    def agency_may_change(self, obj: ModelT, agency: "PartnerAgency") -> bool:
        """Return whether the agency's administrator may change this row (one they see)."""
        return True

    def get_queryset(self, request: HttpRequest) -> QuerySet[ModelT]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        agency = administered_agency(request)
        return queryset.none() if agency is None else self.agency_rows(request, queryset, agency)

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> ModelT | None:
        # Another agency's row, or none at all: 404, not the admin's redirect to its index.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return administered_agency(request) is not None or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        if administered_agency(request) is not None:
            return True
        return super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        if administered_agency(request) is not None:
            return self.agency_admins_add
        return super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        agency = administered_agency(request)
        if agency is not None:
            return self.agency_admins_change and (
                obj is None or self.agency_may_change(obj, agency)
            )
        return super().has_change_permission(request, obj)


class AgencyOwnedAdminMixin(AgencyScopedAdminMixin[ModelT]):
    """Rows an agency keeps (an `agency` key, and the `sites` they cover, if any): an agency
    administrator sees their agency's, makes new ones for it alone, over its own sites, and
    the agency stays the same once the row exists."""

    agency_field_required = False

    def agency_rows(
        self, request: HttpRequest, queryset: QuerySet[ModelT], agency: "PartnerAgency"
    ) -> QuerySet[ModelT]:
        return queryset.filter(agency=agency)

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelChoiceField[Any] | None":
        agency = administered_agency(request)
        if db_field.name == "agency" and agency is not None:
            kwargs["queryset"] = db_field.remote_field.model._default_manager.filter(pk=agency.pk)
            kwargs["initial"] = agency.pk
            if self.agency_field_required:
                kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelMultipleChoiceField[Any] | None":
        if db_field.name == "sites" and administered_agency(request) is not None:
            kwargs["queryset"] = access.sites_for(acting_user(request)).order_by("name")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: ModelT | None = None) -> Any:
        # Who keeps a row is settled when it is made; another agency makes its own.
        return ("agency",) if obj is not None else ()
