"""The second factor: who must use one, enrolment, recovery codes, verification and reset.

Built on django-otp (TOTP devices, passkeys from django-otp-webauthn, and static recovery
codes; protection.accounts.passkeys has the passkey ceremonies), which plugs into Django's own
login and admin. Administrators (agency admins, superusers and anyone with access to the
admin), supervisors and GBV-designated staff must use one; everyone else may. A session that
has passed the second factor carries django-otp's device id (OTPMiddleware reads it); until
then protection.accounts.middleware lets it reach only the verification or enrolment page.

Recovery codes are kept as keyed hashes (the code is shown once, at issue), so a copy of the
database does not hand them out. Every enrolment, verification, failure, regeneration and
reset is audited with ids and counts only.
"""

import base64
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from protection import access
from protection.accounts.models import Role, User
from protection.accounts.services import users_manageable_by
from protection.audit import audit_record

if TYPE_CHECKING:
    from django.http import HttpRequest

# What a signed-in session still has to do, kept in the session (SESSION_STEP_KEY).
STEP_NONE = "none"
STEP_VERIFY = "verify"
STEP_ENROL = "enrol"
SESSION_STEP_KEY = "second_factor_step"

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"
_RECOVERY_SALT = "protection.accounts.second_factor.recovery-code"


class SecondFactorRefused(Exception):
    """A code was refused: wrong, too soon after failures, or the account is now locked."""

    INVALID = "invalid"
    THROTTLED = "throttled"
    LOCKED = "locked"

    def __init__(self, reason: str, *, wait_seconds: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_seconds = wait_seconds

    @property
    def message(self) -> str:
        """Say what went wrong and what to do, in the user's language."""
        if self.reason == self.THROTTLED:
            return _("Too many wrong codes in a row. Wait %(seconds)d seconds, then try again.") % {
                "seconds": max(self.wait_seconds, 1)
            }
        if self.reason == self.LOCKED:
            return str(LOCKED_MESSAGE)
        return str(INVALID_MESSAGE)


INVALID_MESSAGE = gettext_lazy(
    "This code is not valid. Enter the current 6-digit code from your authenticator app, "
    "or one of your recovery codes."
)
LOCKED_MESSAGE = gettext_lazy("Account locked: too many failed attempts. Try again later.")


@dataclass(frozen=True)
class SecondFactorStatus:
    """What a user has set up, for their account page and the admin."""

    required: bool
    totp_confirmed: bool
    recovery_codes_left: int
    passkeys: int = 0

    @property
    def enrolled(self) -> bool:
        return self.totp_confirmed or self.passkeys > 0 or self.recovery_codes_left > 0


def second_factor_required(user: Any) -> bool:
    """Return whether the user must use a second factor (their powers or GBV designation)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.is_staff or user.role in (Role.ADMIN, Role.SUPERVISOR):
        return True
    return access.is_gbv_designated(user)


def second_factor_step(user: Any) -> str:
    """Return what a freshly signed-in user must do: nothing, verify a code, or enrol."""
    if not getattr(user, "is_authenticated", False):
        return STEP_NONE
    if (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
        or StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
    ):
        return STEP_VERIFY
    return STEP_ENROL if second_factor_required(user) else STEP_NONE


def second_factor_status(user: User) -> SecondFactorStatus:
    """Describe the user's second factor without revealing any secret."""
    return SecondFactorStatus(
        required=second_factor_required(user),
        totp_confirmed=TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
        recovery_codes_left=StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
        passkeys=WebAuthnCredential.objects.filter(user=user, confirmed=True).count(),
    )


def recovery_code_digest(code: str) -> str:
    """Return what is stored for a recovery code: a keyed hash of its normalised form."""
    return salted_hmac(_RECOVERY_SALT, normalise_code(code)).hexdigest()[:16]


def normalise_code(code: str) -> str:
    """Drop spaces and dashes and lower the case, as people type codes in many ways."""
    return "".join(code.split()).replace("-", "").lower()


def _new_recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()[:10]
    return f"{raw[:5]}-{raw[5:]}"


def _recovery_codes_issue(user: User) -> tuple[int, list[str]]:
    """Replace the user's recovery codes with new ones; return the old count and the codes."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    old = device.token_set.count()
    device.token_set.all().delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=recovery_code_digest(code)) for code in codes
    )
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()
    return old, codes


def totp_device_start(*, actor: User, key: str | None = None) -> TOTPDevice:
    """Return the actor's authenticator waiting for confirmation, creating it if needed.

    The device does nothing until totp_device_confirm has checked a code from it. `key` (hex)
    is for the demo, whose accounts share a published key; a real enrolment draws a random one.
    """
    pending = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("-pk").first()
    if pending is not None and (key is None or pending.key == key):
        return pending
    extra = {"key": key} if key is not None else {}
    return TOTPDevice.objects.create(user=actor, name=TOTP_DEVICE_NAME, confirmed=False, **extra)


def totp_device_confirm(
    *, actor: User, device: TOTPDevice, token: str, request: "HttpRequest | None" = None
) -> list[str]:
    """Activate the authenticator once a code from it checks; return new recovery codes.

    Any authenticator the actor had before is replaced. Raise ValidationError (on otp_token)
    for a wrong code, which is audited and counts toward the lockout like any failure.
    """
    if device.user_id != actor.pk or device.confirmed:
        raise PermissionDenied
    code = normalise_code(token)
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        verified = code.isdigit() and locked.verify_token(code)
    if not verified:
        _failure_record(user=actor, request=request)
        raise ValidationError({"otp_token": INVALID_MESSAGE}, code="invalid")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        _old, codes = _recovery_codes_issue(actor)
        audit_record(
            actor=actor,
            action="user.second_factor_enrol",
            obj=actor,
            changes={"device_type": [None, "totp"], "recovery_codes": [0, len(codes)]},
        )
    device.refresh_from_db()
    return codes


def recovery_codes_regenerate(*, actor: User) -> list[str]:
    """Give the actor new recovery codes (the old ones stop working); return them, shown once."""
    if not (
        TOTPDevice.objects.filter(user=actor, confirmed=True).exists()
        or WebAuthnCredential.objects.filter(user=actor, confirmed=True).exists()
    ):
        raise ValidationError(
            _("Set up an authenticator app or a passkey before asking for recovery codes.")
        )
    with transaction.atomic():
        old, codes = _recovery_codes_issue(actor)
        audit_record(
            actor=actor,
            action="user.recovery_codes_regenerate",
            obj=actor,
            changes={"recovery_codes": [old, len(codes)]},
        )
    return codes


def _wait_seconds(device: Device) -> int | None:
    """Return how long the device still refuses codes after failures, or None if it does not."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    until = (data or {}).get("locked_until")
    if until is None:
        return 1
    return max(int((until - timezone.now()).total_seconds()) + 1, 1)


def _failure_record(*, user: User, request: "HttpRequest | Any | None") -> bool:
    """Audit a refused code and count it toward django-axes' lockout; return whether locked."""
    with transaction.atomic():
        audit_record(actor=user, action="user.second_factor_failure", obj=user)
    if request is None:
        return False
    # The same counter as wrong passwords: after AXES_FAILURE_LIMIT the username and address
    # are locked out, and the password no longer gets them a session either.
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )
    return bool(getattr(request, "axes_locked_out", False))


def second_factor_verify(*, user: User, token: str, request: "HttpRequest | Any") -> Device:
    """Check a code (authenticator or recovery) for the user; return the device it matched.

    A 6-digit code is checked against the authenticator, anything else against the recovery
    codes (each works once). Raise SecondFactorRefused when the code is wrong (audited and
    counted toward the lockout), when the devices still refuse codes after recent failures, or
    when the account is locked.
    """
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        raise SecondFactorRefused(SecondFactorRefused.LOCKED)
    code = normalise_code(token)
    is_totp = len(code) == 6 and code.isdigit()
    candidate: Device | None = None
    with transaction.atomic():
        if is_totp:
            devices: list[Device] = list(
                TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        else:
            devices = list(
                StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
            )
        waits = [wait for wait in map(_wait_seconds, devices) if wait is not None]
        if devices and len(waits) == len(devices):
            candidate = None
        else:
            for device in devices:
                checked = code if is_totp else recovery_code_digest(code)
                if code and device.verify_token(checked):
                    candidate = device
                    break
    if candidate is None:
        locked = _failure_record(user=user, request=request)
        if locked:
            raise SecondFactorRefused(SecondFactorRefused.LOCKED)
        if devices and len(waits) == len(devices):
            raise SecondFactorRefused(SecondFactorRefused.THROTTLED, wait_seconds=min(waits))
        raise SecondFactorRefused(SecondFactorRefused.INVALID)
    with transaction.atomic():
        changes: dict[str, list[Any]] = {"device_type": [None, "totp" if is_totp else "recovery"]}
        if not is_totp:
            left = StaticToken.objects.filter(device__user=user).count()
            changes["recovery_codes"] = [left + 1, left]
        audit_record(actor=user, action="user.second_factor_verify", obj=user, changes=changes)
    return candidate


def second_factor_reset(*, actor: User, user: User) -> int:
    """Remove every second-factor device of another account; return how many there were.

    For a user who lost their phone and their recovery codes: they enrol again at their next
    sign-in (if they must have one). Only who may manage the account may reset it (a
    superuser, or an admin of the same agency); nobody resets their own here.
    """
    if not users_manageable_by(actor).filter(pk=user.pk).exists():
        raise PermissionDenied
    if user.pk == actor.pk:
        raise ValidationError(
            _("You cannot reset your own second factor: ask another administrator.")
        )
    with transaction.atomic():
        count = _devices_delete(user)
        audit_record(
            actor=actor,
            action="user.second_factor_reset",
            obj=user,
            changes={"otp_devices": [count, 0]},
        )
    return count


def second_factor_remove(*, actor: User) -> int:
    """Turn off the actor's own second factor, when their role does not require one."""
    if second_factor_required(actor):
        raise ValidationError(_("Your role requires a second factor: it cannot be turned off."))
    with transaction.atomic():
        count = _devices_delete(actor)
        if count:
            audit_record(
                actor=actor,
                action="user.second_factor_remove",
                obj=actor,
                changes={"otp_devices": [count, 0]},
            )
    return count


def _devices_delete(user: User) -> int:
    totp, _by_model = TOTPDevice.objects.filter(user=user).delete()
    passkeys = WebAuthnCredential.objects.filter(user=user).count()
    WebAuthnCredential.objects.filter(user=user).delete()
    static = StaticDevice.objects.filter(user=user).count()
    StaticDevice.objects.filter(user=user).delete()
    return int(totp) + passkeys + static
