"""The keys that encrypt the narratives, read from the environment and never from the repository.

PROTECTION_FIELD_KEYS lists the keys as "kid:base64key,kid:base64key": each key is 32 random
bytes (AES-256) in standard or URL-safe base64, each kid a short name stored beside every value
it encrypted. The FIRST key listed is the primary: it encrypts every new value; every key listed
decrypts. Rotating is therefore: put the new key first, keep the old one after it, deploy, run
`manage.py rotate_keys`, then drop the old key (README, "Encryption keys").

Development and test settings derive a key named "dev" from their own SECRET_KEY when none is
set; production settings refuse to start without keys, and refuse the "dev" name.
"""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
KID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# The name of the key derived for development and tests; production settings refuse it.
DEV_KID = "dev"
_DEV_KEY_SALT = b"protection.crypto.development-field-key"


class KeyringError(ImproperlyConfigured):
    """The configured keys cannot be used: say which and why, never the key itself."""


@dataclass(frozen=True)
class Keyring:
    """The keys by kid, and which one encrypts."""

    primary_kid: str
    keys: dict[str, bytes]

    @property
    def primary_key(self) -> bytes:
        return self.keys[self.primary_kid]


def parse_keys(spec: str) -> Keyring:
    """Return the keyring that a PROTECTION_FIELD_KEYS value describes, or raise KeyringError."""
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        kid, sep, encoded = entry.partition(":")
        kid = kid.strip()
        if not sep or not KID_PATTERN.match(kid):
            raise KeyringError(
                "PROTECTION_FIELD_KEYS: each entry must be 'kid:base64key' with a kid of "
                "1 to 32 letters, digits, '-' or '_'."
            )
        if kid in keys:
            raise KeyringError(f"PROTECTION_FIELD_KEYS: the key id {kid!r} is listed twice.")
        keys[kid] = _decode_key(kid, encoded.strip())
        order.append(kid)
    if not order:
        raise KeyringError("PROTECTION_FIELD_KEYS lists no key.")
    return Keyring(primary_kid=order[0], keys=keys)


def _decode_key(kid: str, encoded: str) -> bytes:
    padded = encoded + "=" * (-len(encoded) % 4)
    try:
        raw = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError) as error:
        raise KeyringError(f"PROTECTION_FIELD_KEYS: the key {kid!r} is not base64.") from error
    if len(raw) != KEY_BYTES:
        raise KeyringError(
            f"PROTECTION_FIELD_KEYS: the key {kid!r} is {len(raw)} bytes; AES-256 needs "
            f'{KEY_BYTES} (generate one with `python -c "import os, base64; '
            'print(base64.b64encode(os.urandom(32)).decode())"`).'
        )
    return raw


def development_keys(secret_key: str) -> str:
    """Return a PROTECTION_FIELD_KEYS value for development, derived from SECRET_KEY.

    Labelled "dev" so that production settings can refuse it; derived from the settings' own
    SECRET_KEY so that a development database is unreadable under any other.
    """
    derived = hashlib.sha256(_DEV_KEY_SALT + secret_key.encode()).digest()
    return f"{DEV_KID}:{base64.b64encode(derived).decode()}"


def production_keys(spec: str) -> Keyring:
    """Return the production keyring, or raise ImproperlyConfigured when it is absent or unsafe."""
    if not spec.strip():
        raise ImproperlyConfigured(
            "PROTECTION_FIELD_KEYS must be set in production: the narratives are stored "
            "encrypted under these keys (README, 'Encryption keys')."
        )
    try:
        ring = parse_keys(spec)
    except KeyringError as error:
        raise ImproperlyConfigured(str(error)) from None
    if DEV_KID in ring.keys:
        raise ImproperlyConfigured(
            f"PROTECTION_FIELD_KEYS: the key id {DEV_KID!r} is reserved for the development key "
            "and cannot be used in production."
        )
    return ring


_cache: tuple[str, Keyring] | None = None


def current() -> Keyring:
    """Return the keyring of the running settings (parsed once per value of the setting)."""
    global _cache
    spec: str = getattr(settings, "PROTECTION_FIELD_KEYS", "")
    cached = _cache
    if cached is not None and cached[0] == spec:
        return cached[1]
    if not spec.strip():
        raise KeyringError(
            "PROTECTION_FIELD_KEYS is not set: encrypted fields can be neither read nor written."
        )
    ring = parse_keys(spec)
    _cache = (spec, ring)
    return ring
