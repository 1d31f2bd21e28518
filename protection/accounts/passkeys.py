"""Passkeys (WebAuthn) as the other second factor: registration, verification and removal.

django-otp-webauthn keeps each passkey as a django-otp device (WebAuthnCredential) and checks
the browser's answers (WebAuthnHelper, on py_webauthn). Its own views would write without our
audit, so protection.accounts.passkey_views calls these services instead, which wrap the
helper's checks: each registration, use, failure and removal is audited with the account, the
passkey's id and the device type only (never the credential id, key or authenticator data).

A passkey is a second factor only: the password comes first (passwordless login is off).
"""

from logging import getLogger
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp_webauthn import exceptions
from django_otp_webauthn.models import WebAuthnCredential
from django_otp_webauthn.utils import rewrite_exceptions

from protection.accounts.models import User
from protection.accounts.second_factor import (
    LOCKED_MESSAGE,
    SecondFactorRefused,
    _failure_record,
    second_factor_required,
    second_factor_status,
)
from protection.audit import audit_record

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django_otp_webauthn.helpers import WebAuthnHelper

DEVICE_TYPE = "passkey"
_logger = getLogger(__name__)


class PasskeyRefused(exceptions.OTPWebAuthnApiError):
    """The passkey's answer was refused, or the account is locked (answered as JSON)."""

    status_code = 403
    default_code = "passkey_refused"


def passkeys_of(user: User) -> list[WebAuthnCredential]:
    """Return the user's own passkeys, oldest first (for their account page)."""
    return list(
        WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at", "pk")
    )


def passkey_register(
    *, actor: User, helper: "WebAuthnHelper", state: dict[str, Any], data: Any
) -> WebAuthnCredential:
    """Check the browser's new credential against the started ceremony and keep it; audit it.

    Raise the library's API errors (as JSON answers) when the answer does not check.
    """
    with transaction.atomic():
        with rewrite_exceptions(logger=_logger):
            device: WebAuthnCredential = helper.register_complete(
                user=actor, state=state, data=data
            )
        audit_record(
            actor=actor,
            action="user.second_factor_enrol",
            obj=actor,
            changes={"device_type": [None, DEVICE_TYPE], "passkey": [None, device.pk]},
        )
    return device


def passkey_verify(
    *,
    user: User,
    helper: "WebAuthnHelper",
    state: dict[str, Any],
    data: Any,
    request: "HttpRequest",
) -> WebAuthnCredential:
    """Check a passkey's signature for the signed-in user; return the passkey it matched.

    A refused answer (another account's passkey, a bad signature, a wrong origin) is audited
    and counts toward the lockout like a wrong code. Raise SecondFactorRefused(LOCKED) when
    the account is (or now becomes) locked, and the library's API error otherwise.
    """
    from axes.handlers.proxy import AxesProxyHandler

    if AxesProxyHandler.is_locked(request, {"username": user.get_username()}):
        raise SecondFactorRefused(SecondFactorRefused.LOCKED)
    try:
        with transaction.atomic(), rewrite_exceptions(logger=_logger):
            device: WebAuthnCredential = helper.authenticate_complete(
                user=user, state=state, data=data
            )
            if not device.confirmed or not user.is_active:
                raise exceptions.CredentialDisabled()
            audit_record(
                actor=user,
                action="user.second_factor_verify",
                obj=user,
                changes={"device_type": [None, DEVICE_TYPE], "passkey": [None, device.pk]},
            )
    except exceptions.OTPWebAuthnApiError:
        if _failure_record(user=user, request=request):
            raise SecondFactorRefused(SecondFactorRefused.LOCKED) from None
        raise
    return device


def passkey_locked_error() -> PasskeyRefused:
    """Return the JSON answer for a locked account."""
    return PasskeyRefused(detail=str(LOCKED_MESSAGE), code="locked")


def passkey_delete(*, actor: User, passkey_id: int) -> None:
    """Remove one of the actor's own passkeys; audited.

    The last second factor of an account whose role requires one cannot be removed here.
    Another account's passkey answers PermissionDenied.
    """
    with transaction.atomic():
        device = WebAuthnCredential.objects.select_for_update().filter(pk=passkey_id).first()
        if device is None or device.user_id != actor.pk:
            raise PermissionDenied
        status = second_factor_status(actor)
        others = status.passkeys - 1 + int(status.totp_confirmed)
        if second_factor_required(actor) and others == 0:
            raise ValidationError(
                _("Your role requires a second factor: set up another one before removing this.")
            )
        device.delete()
        audit_record(
            actor=actor,
            action="user.second_factor_remove",
            obj=actor,
            changes={"device_type": [DEVICE_TYPE, None], "passkey": [passkey_id, None]},
        )
