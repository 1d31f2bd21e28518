"""The demo's second factor: one published authenticator key for every demo account.

Administrators, supervisors and GBV-designated staff must pass a second factor. In the demo
they are enrolled through the real services (protection.accounts.second_factor: start, then
confirm with a code from the key, audited) with a key that README publishes, as it publishes
the password: add it to any authenticator app, or print the current code with
`python manage.py demo_code <username>`. Development only, like the password.
"""

import base64

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from protection.accounts.models import User
from protection.accounts.second_factor import (
    second_factor_required,
    totp_device_confirm,
    totp_device_start,
)

# Base32, as authenticator apps take it (README "Demo logins").
DEMO_TOTP_SECRET = "DEMOPROTECTIONAUTHENTICATORKEYAB"  # noqa: S105 (published, demo only)
DEMO_TOTP_KEY = base64.b32decode(DEMO_TOTP_SECRET).hex()


def current_code(device: TOTPDevice) -> str:
    """Return the code the device's authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def demo_device(user: User) -> TOTPDevice | None:
    """Return the user's confirmed authenticator if it holds the demo's published key."""
    return TOTPDevice.objects.filter(user=user, confirmed=True, key=DEMO_TOTP_KEY).first()


def demo_second_factors_enrol(users: list[User]) -> int:
    """Enrol every account that must use a second factor and has none; return how many."""
    enrolled = 0
    for user in users:
        if not second_factor_required(user):
            continue
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            continue
        device = totp_device_start(actor=user, key=DEMO_TOTP_KEY)
        totp_device_confirm(actor=user, device=device, token=current_code(device))
        enrolled += 1
    return enrolled
