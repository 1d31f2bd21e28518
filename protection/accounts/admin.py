"""Admin for user accounts: agency and role, scoped to the agency of an agency administrator.

A superuser manages every account. An agency administrator (role admin, staff, not superuser)
sees and manages only the accounts of their own agency, can place them only in that agency,
and never sees the superuser, group or permission fields, so cannot grant more than their
agency has. Accounts are deactivated, not deleted: the audit trail points to them.

The rules themselves live in protection.accounts.services: the forms run its validation and
save_model calls its services, which audit every change.
"""

import contextvars
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from knox.models import get_token_model

from protection.accounts.admin_second_factor import SecondFactorAdminMixin
from protection.accounts.models import User
from protection.accounts.services import (
    USER_FIELDS,
    is_agency_admin,
    user_create,
    user_deactivate,
    user_password_set,
    user_update,
    user_validate,
    users_manageable_by,
)
from protection.admin_services import ReadOnlyModelAdmin, ServiceModelAdmin, acting_user

if TYPE_CHECKING:
    from knox.models import AuthToken as Token  # noqa: F401  (APIKeyAdmin's type argument)

    # The stubs make Django's password form generic in the user model; Django's class is not
    # subscriptable at run time, so only the type checker sees it parameterised.
    _PasswordChangeForm = AdminPasswordChangeForm[User]
else:
    _PasswordChangeForm = AdminPasswordChangeForm

# Who is setting a password in the admin's password view (its form is built without the request).
_password_actor: contextvars.ContextVar[User | None] = contextvars.ContextVar(
    "admin_password_actor", default=None
)

# Fields only a superuser may see or set: they grant powers beyond the agency.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "groups", "user_permissions")


def _language_choices() -> list[tuple[str, Any]]:
    return [("", _("Browser default")), *settings.LANGUAGES]


class UserCreationForm(AdminUserCreationForm):
    """Create an account in an agency, with a role."""

    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("username", "agency", "role")


class UserChangeForm(DjangoUserChangeForm[User]):
    """Change an account; only a superuser may be without an agency."""

    class Meta(DjangoUserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "agency" in self.fields:
            # user_validate says who may be without an agency (a platform superuser only).
            self.fields["agency"].required = False


class PasswordSetForm(_PasswordChangeForm):
    """Set another account's password through user_password_set, which audits it masked."""

    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data.get("set_usable_password", True)
        actor = _password_actor.get()
        assert actor is not None  # UserAdmin.user_change_password sets it around the form
        return user_password_set(
            actor=actor,
            user=self.user,
            new_password=self.cleaned_data["password1"] if usable else None,
        )


def _without(fieldsets: Any, names: Sequence[str]) -> list[tuple[Any, dict[str, Any]]]:
    """Return the fieldsets without the given fields (and without sets left empty)."""
    result = []
    for title, options in fieldsets:
        fields = [name for name in options["fields"] if name not in names]
        if fields:
            result.append((title, {**options, "fields": tuple(fields)}))
    return result


@admin.register(User)
class UserAdmin(SecondFactorAdminMixin, ServiceModelAdmin[User], DjangoUserAdmin[User]):
    """Accounts with their agency and role, written through protection.accounts.services."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = PasswordSetForm
    fieldsets = (
        (None, {"fields": ("username", "password", "second_factor")}),
        (
            _("Personal info"),
            {"fields": ("first_name", "last_name", "email", "preferred_language")},
        ),
        (_("Agency and role"), {"fields": ("agency", "role")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        (_("Agency and role"), {"fields": ("agency", "role")}),
    )
    readonly_fields = ("last_login", "date_joined", "second_factor")
    list_display = ("username", "first_name", "last_name", "agency", "role", "is_active")
    list_filter = ("agency", "role", "is_active", "is_staff", "is_superuser")
    list_select_related = ("agency",)
    search_fields = ("username", "first_name", "last_name", "email")
    actions = ["deactivate"]

    def _actor(self, request: HttpRequest) -> User:
        return acting_user(request)

    def _is_superuser(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        manageable = users_manageable_by(acting_user(request)).values("pk")
        return super().get_queryset(request).filter(pk__in=manageable)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_superuser(request) or is_agency_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        if self._is_superuser(request):
            return True
        if not is_agency_admin(request.user):
            return False
        return obj is None or (
            obj.agency_id == self._actor(request).agency_id and not obj.is_superuser
        )

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Nobody deletes an account: the audit trail points to it. Deactivate it instead.
        return False

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = list(super().get_list_filter(request))
        if not self._is_superuser(request):
            filters = [f for f in filters if f not in ("agency", "is_superuser")]
        return filters

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if self._is_superuser(request):
            return fieldsets
        return _without(fieldsets, SUPERUSER_ONLY_FIELDS)

    def formfield_for_foreignkey(
        self, db_field: "models.ForeignKey[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> "forms.ModelChoiceField[Any] | None":
        if db_field.name == "agency" and not self._is_superuser(request):
            agency_id = self._actor(request).agency_id
            assert agency_id is not None  # only a superuser is without an agency
            kwargs["queryset"] = User.agency.get_queryset().filter(pk=agency_id)
            kwargs["initial"] = agency_id
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(
        self, db_field: "models.Field[Any, Any]", request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if db_field.name == "preferred_language":
            return forms.ChoiceField(
                label=db_field.verbose_name, choices=_language_choices(), required=False
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def service_validate(self, request: HttpRequest, form: forms.ModelForm[User]) -> None:
        data = form.cleaned_data
        stored = User.objects.filter(pk=form.instance.pk).first() if form.instance.pk else None
        user_validate(
            actor=acting_user(request),
            user=form.instance,
            before=stored,
            groups=data["groups"] if "groups" in form.changed_data else None,
            user_permissions=(
                data["user_permissions"] if "user_permissions" in form.changed_data else None
            ),
        )

    def save_model(
        self, request: HttpRequest, obj: User, form: forms.ModelForm[User], change: bool
    ) -> None:
        data = form.cleaned_data
        if not change:
            usable = data.get("set_usable_password", True)
            created = user_create(
                actor=acting_user(request),
                username=data["username"],
                agency=data.get("agency"),
                role=data["role"],
                password=data.get("password1") if usable else None,
            )
            obj.pk = created.pk
            return
        changed = set(form.changed_data)
        user_update(
            actor=acting_user(request),
            user=obj,
            changes={name: data[name] for name in USER_FIELDS if name in changed},
            groups=data["groups"] if "groups" in changed else None,
            user_permissions=data["user_permissions"] if "user_permissions" in changed else None,
        )

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        token = _password_actor.set(acting_user(request))
        try:
            response: HttpResponse = super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)
        return response

    @admin.action(description=_("Deactivate selected users"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        """Stop the accounts from signing in and revoke their API keys."""
        count = 0
        for user in queryset:
            if not user.is_active:
                continue
            try:
                user_deactivate(actor=acting_user(request), user=user)
            except PermissionDenied:
                reason = str(_("you may not manage this account."))
            except ValidationError as error:
                reason = "; ".join(error.messages)
            else:
                count += 1
                continue
            self.message_user(
                request,
                _("%(username)s was not deactivated: %(reason)s")
                % {"username": user.get_username(), "reason": reason},
                messages.ERROR,
            )
        self.message_user(
            request,
            ngettext("%(count)d user deactivated.", "%(count)d users deactivated.", count)
            % {"count": count},
            messages.SUCCESS,
        )


AuthToken = get_token_model()
if admin.site.is_registered(AuthToken):
    # Knox's own admin creates keys without an audit event and lists their digests.
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class APIKeyAdmin(ReadOnlyModelAdmin["Token"]):
    """API keys, read-only: users create them through the API; deactivating a user revokes."""

    list_display = ("user", "created", "expiry")
    list_select_related = ("user",)
    list_filter = ("expiry",)
    search_fields = ("=user__username",)
    fields = ("user", "created", "expiry")
    show_full_result_count = False
