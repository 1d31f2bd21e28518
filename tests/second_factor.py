"""Test helpers for the second factor: codes from a device's key, enrolment, verified sessions."""

import time
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from protection.accounts.second_factor import (
    SESSION_STEP_KEY,
    STEP_NONE,
    STEP_VERIFY,
    second_factor_step,
    totp_device_confirm,
    totp_device_start,
)

# The device django-otp's middleware finds in a session marked verified by force_login.
TEST_DEVICE_NAME = "test session"


def totp_code(device: TOTPDevice, *, ahead: int = 0) -> str:
    """Return the code the authenticator app shows now (`ahead` steps later, for a second use).

    A TOTP code is refused a second time within its 30 s step, so a test that signs in again
    right after enrolling takes the next step's code, which the tolerance of one step accepts.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def totp_code_from_secret(secret: str, *, ahead: int = 0) -> str:
    """Return the current code for a base32 key as the enrolment page shows it."""
    import base64

    compact = "".join(secret.split()).upper()
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    totp = TOTP(key, 30, 0, 6, ahead)
    totp.time = time.time()
    return f"{totp.token():06d}"


def enrol(user: Any) -> tuple[TOTPDevice, list[str]]:
    """Enrol an authenticator for the user through the services; return it and the codes."""
    device = totp_device_start(actor=user)
    codes = totp_device_confirm(actor=user, device=device, token=totp_code(device))
    device.refresh_from_db()
    return device, codes


def verify_session(client: Client, user: Any) -> None:
    """Mark the client's session as having passed the second factor, if it must.

    What a real sign-in with a code leaves in the session: django-otp's device id. The
    device is a confirmed, code-less one kept for this purpose, so tests of the pages behind
    the rule need not type codes; tests of the rule itself use the real flow.
    """
    if second_factor_step(user) == STEP_NONE:
        return
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=TEST_DEVICE_NAME, defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[SESSION_STEP_KEY] = STEP_VERIFY
    session.save()
