"""Writes about user accounts that the admin, the pages and the API share.

A platform superuser manages every account. An agency administrator (role admin, staff, in an
active agency) manages the accounts of their own agency and never a superuser's, places them
only in that agency, and cannot grant superuser status, groups or permissions. Nobody else
manages accounts. Accounts are never deleted (the audit trail points to them): they are
deactivated, which also revokes their API tokens. Token issue and revocation live in
protection.accounts.tokens.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from knox.models import get_token_model

from protection import access
from protection.accounts.models import Role, User
from protection.accounts.tokens import api_token_issue, api_token_revoke, api_token_revoke_all
from protection.accounts.types import Viewer
from protection.audit import audit_record, diff, snapshot

if TYPE_CHECKING:
    from partners.models import PartnerAgency

__all__ = [
    "api_token_issue",
    "api_token_revoke",
    "api_token_revoke_all",
    "is_agency_admin",
    "user_create",
    "user_deactivate",
    "user_password_change",
    "user_password_set",
    "user_role_change",
    "user_update",
    "user_validate",
    "users_manageable_by",
]

# What user_update may change; the password has its own services.
USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "preferred_language",
    "agency",
    "role",
    "is_active",
    "is_staff",
    "is_superuser",
)
# Powers beyond the agency: only a platform superuser grants them.
SUPERUSER_ONLY = ("is_superuser", "groups", "user_permissions")


def is_superuser(user: "Viewer | None") -> bool:
    """Return whether the user is an active platform superuser."""
    return bool(getattr(user, "is_superuser", False) and user is not None and user.is_active)


def is_agency_admin(user: "Viewer | None") -> bool:
    """Return whether the user administers their agency's accounts (not a superuser)."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and not user.is_superuser
        and user.role == Role.ADMIN
        and access.agency_of(user) is not None
    )


def users_manageable_by(actor: User) -> QuerySet[User]:
    """Return the accounts the actor may see and change: all, own agency's, or none."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return User.objects.none()
    if actor.is_superuser:
        return User.objects.all()
    if is_agency_admin(actor):
        return User.objects.filter(agency_id=actor.agency_id, is_superuser=False)
    return User.objects.none()


def user_validate(
    *,
    actor: User,
    user: User,
    before: User | None,
    groups: Sequence[Group] | None = None,
    user_permissions: Sequence[Permission] | None = None,
) -> None:
    """Check that the actor may give the account these values; raise what is wrong.

    `user` carries the new values, `before` the stored account (None for a new one). Raise
    PermissionDenied when the actor may not manage the account at all, ValidationError (keyed
    by field) for a value the actor may not set or that is wrong.
    """
    superuser = is_superuser(actor)
    if not superuser and not is_agency_admin(actor):
        raise PermissionDenied
    if before is not None and not users_manageable_by(actor).filter(pk=before.pk).exists():
        raise PermissionDenied
    errors: dict[str, str] = {}
    user.username = (user.username or "").strip()
    if not user.username:
        errors["username"] = _("Enter a username.")
    elif User.objects.filter(username__iexact=user.username).exclude(pk=user.pk).exists():
        errors["username"] = _("Another account already has this username.")
    if user.role not in Role.values:
        errors["role"] = _("Choose a role from the list.")
    if not superuser:
        was_superuser = before.is_superuser if before is not None else False
        if user.is_superuser and not was_superuser:
            errors["is_superuser"] = _("Only a platform superuser can grant superuser status.")
        if groups or user_permissions:
            errors["user_permissions"] = _(
                "Only a platform superuser can grant groups or permissions."
            )
        if user.agency_id != actor.agency_id:
            errors["agency"] = _("You can only place accounts in your own agency.")
    if user.agency_id is None and not user.is_superuser:
        errors.setdefault(
            "agency", _("Every user except a platform superuser belongs to an agency.")
        )
    elif (
        user.agency_id is not None
        and (before is None or before.agency_id != user.agency_id)
        and not User.agency.get_queryset().filter(pk=user.agency_id, active=True).exists()
    ):
        errors.setdefault("agency", _("This agency is not active."))
    if before is not None and before.pk == actor.pk:
        # Nobody changes their own powers: another administrator must do it.
        if user.role != before.role:
            errors["role"] = _("You cannot change your own role.")
        if not user.is_active:
            errors["is_active"] = _("You cannot deactivate your own account.")
        if before.is_staff and not user.is_staff:
            errors["is_staff"] = _("You cannot remove your own access to the admin.")
        if before.is_superuser and not user.is_superuser:
            errors["is_superuser"] = _("You cannot remove your own superuser status.")
    if errors:
        raise ValidationError(errors)


def _revoke_tokens(user: User) -> int:
    revoked, _by_model = get_token_model().objects.filter(user=user).delete()
    return int(revoked)


def user_create(
    *,
    actor: User,
    username: str,
    agency: "PartnerAgency | None",
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    preferred_language: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Open an account in an agency, with a role; audit it (the password masked).

    `password` has been validated by the caller's form; None leaves the account without a
    usable password (it signs in once one is set).
    """
    user = User(
        username=username,
        agency=agency,
        role=role,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        preferred_language=preferred_language,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    user_validate(actor=actor, user=user, before=None)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    with transaction.atomic():
        user.save()
        changes = diff({}, snapshot(user, USER_FIELDS))
        changes["password"] = [None, None]
        audit_record(actor=actor, action="user.create", obj=user, changes=changes)
    return user


def user_update(
    *,
    actor: User,
    user: User,
    changes: dict[str, Any],
    groups: Sequence[Group] | None = None,
    user_permissions: Sequence[Permission] | None = None,
    action: str = "user.update",
) -> User:
    """Change an account's details, agency, role or status; audit the fields that changed.

    Deactivating the account here also revokes its API tokens, as user_deactivate does.
    """
    unknown = set(changes) - set(USER_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    stored = User.objects.get(pk=user.pk)
    candidate = User.objects.get(pk=user.pk)
    for name, value in changes.items():
        setattr(candidate, name, value.strip() if isinstance(value, str) else value)
    old_groups = sorted(stored.groups.values_list("pk", flat=True))
    old_permissions = sorted(stored.user_permissions.values_list("pk", flat=True))
    new_groups = sorted(g.pk for g in groups) if groups is not None else old_groups
    new_permissions = (
        sorted(p.pk for p in user_permissions) if user_permissions is not None else old_permissions
    )
    user_validate(
        actor=actor,
        user=candidate,
        before=stored,
        groups=groups if new_groups != old_groups else None,
        user_permissions=user_permissions if new_permissions != old_permissions else None,
    )
    field_changes = diff(snapshot(stored, USER_FIELDS), snapshot(candidate, USER_FIELDS))
    with transaction.atomic():
        if changes:
            candidate.save(update_fields=list(changes))
        if new_groups != old_groups:
            candidate.groups.set(new_groups)
            field_changes["groups"] = [old_groups, new_groups]
        if new_permissions != old_permissions:
            candidate.user_permissions.set(new_permissions)
            field_changes["user_permissions"] = [old_permissions, new_permissions]
        if stored.is_active and not candidate.is_active:
            revoked = _revoke_tokens(candidate)
            if revoked:
                field_changes["revoked_api_keys"] = [revoked, 0]
        if field_changes:
            audit_record(actor=actor, action=action, obj=candidate, changes=field_changes)
    return candidate


def user_role_change(*, actor: User, user: User, role: str) -> User:
    """Give the account another role (never one's own); audit it as a role change."""
    return user_update(actor=actor, user=user, changes={"role": role}, action="user.role_change")


def user_deactivate(*, actor: User, user: User) -> User:
    """Stop an account from signing in and revoke its API keys; audit it.

    Accounts are deactivated rather than deleted, because the audit trail and the records a
    user registered keep pointing to them. Raise PermissionDenied when the actor may not
    manage the account and ValidationError when actors try to lock themselves out.
    """
    if not users_manageable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if not user.is_active:
        return user
    with transaction.atomic():
        user.is_active = False
        user.save(update_fields=["is_active"])
        revoked = _revoke_tokens(user)
        changes: dict[str, list[Any]] = {"is_active": [True, False]}
        if revoked:
            changes["revoked_api_keys"] = [revoked, 0]
        audit_record(actor=actor, action="user.deactivate", obj=user, changes=changes)
    return user


def user_password_set(*, actor: User, user: User, new_password: str | None) -> User:
    """Set another account's password (already validated; None disables it); audit it, masked."""
    if not users_manageable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied
    with transaction.atomic():
        if new_password is None:
            user.set_unusable_password()
        else:
            user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            actor=actor, action="user.password_change", obj=user, changes={"password": [None, None]}
        )
    return user


def user_password_change(*, actor: User, new_password: str) -> User:
    """Set the signed-in user's own new password (already validated) and audit it, masked."""
    user: User = actor
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            actor=user, action="user.password_change", obj=user, changes={"password": [None, None]}
        )
    return user
