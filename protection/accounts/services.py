"""Writes about user accounts that the admin and the pages share: who manages whom, deactivation.

A platform superuser manages every account. An agency administrator (role admin, staff, in an
active agency) manages the accounts of their own agency and never a superuser's. Nobody else
manages accounts.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from knox.models import get_token_model

from protection import access
from protection.accounts.models import Role, User
from protection.audit import audit_record


def is_agency_admin(user: Any) -> bool:
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


def users_manageable_by(actor: Any) -> QuerySet[User]:
    """Return the accounts the actor may see and change: all, own agency's, or none."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return User.objects.none()
    if actor.is_superuser:
        return User.objects.all()
    if is_agency_admin(actor):
        return User.objects.filter(agency_id=actor.agency_id, is_superuser=False)
    return User.objects.none()


def user_deactivate(*, actor: Any, user: User) -> User:
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
        revoked, _by_model = get_token_model().objects.filter(user=user).delete()
        changes: dict[str, list[Any]] = {"is_active": [True, False]}
        if revoked:
            changes["revoked_api_keys"] = [revoked, 0]
        audit_record(actor=actor, action="user.deactivate", obj=user, changes=changes)
    return user


def user_password_change(*, actor: Any, new_password: str) -> User:
    """Set the signed-in user's own new password (already validated) and audit it, masked."""
    user: User = actor
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit_record(
            actor=user, action="user.password_change", obj=user, changes={"password": [None, None]}
        )
    return user
