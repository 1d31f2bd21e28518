"""Audit sign-ins and sign-outs: connected in AccountsConfig.ready(), not business logic."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest

from protection.accounts.middleware import session_step_start
from protection.audit import audit_record

if TYPE_CHECKING:
    from protection.accounts.models import User


@receiver(user_logged_in, dispatch_uid="audit_user_logged_in")
def audit_login(sender: Any, request: HttpRequest | None, user: "User", **kwargs: Any) -> None:
    """Record a successful sign-in."""
    audit_record(actor=user, action="user.login", obj=user)


@receiver(user_logged_in, dispatch_uid="second_factor_step_at_login")
def second_factor_step_at_login(
    sender: Any, request: HttpRequest | None, user: "User", **kwargs: Any
) -> None:
    """Decide, once per sign-in, whether the session must pass a second factor.

    Session bookkeeping tied to the sign-in itself (as Django's own update_last_login is), so
    that every later request of a session with nothing to do costs no query.
    """
    session_step_start(request, user)


@receiver(user_logged_out, dispatch_uid="audit_user_logged_out")
def audit_logout(
    sender: Any, request: HttpRequest | None, user: "User | None", **kwargs: Any
) -> None:
    """Record a sign-out (user is None when the session had already expired)."""
    if user is not None:
        audit_record(actor=user, action="user.logout", obj=user)
