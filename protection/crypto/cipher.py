"""Encrypt and decrypt one stored value with AES-256-GCM, bound to the column it lives in.

A stored value reads `enc:v1:<kid>:<base64url(nonce | ciphertext and tag)>`: the kid names the
key (protection/crypto/keyring.py), the 96-bit nonce is random for every write, and the
associated data is "<table>.<column>", so that a ciphertext copied into another column, or
another table, fails authentication instead of showing up where it does not belong.
"""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from protection.crypto import keyring

PREFIX = "enc:v1:"
NONCE_BYTES = 12


class DecryptionError(RuntimeError):
    """A stored value cannot be read: unknown key, tampered or moved ciphertext, or clear text."""


def associated_data(table: str, column: str) -> bytes:
    return f"{table}.{column}".encode()


def encrypt(plaintext: str, *, table: str, column: str, ring: keyring.Keyring | None = None) -> str:
    """Return the stored form of `plaintext` under the primary key."""
    ring = ring or keyring.current()
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(ring.primary_key).encrypt(
        nonce, plaintext.encode(), associated_data(table, column)
    )
    token = base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")
    return f"{PREFIX}{ring.primary_kid}:{token}"


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def key_id(stored: str) -> str:
    """Return the kid a stored value was encrypted under."""
    if not is_encrypted(stored):
        raise DecryptionError("The value is not encrypted.")
    return stored[len(PREFIX) :].partition(":")[0]


def decrypt(stored: str, *, table: str, column: str, ring: keyring.Keyring | None = None) -> str:
    """Return the clear text of a stored value, or raise DecryptionError saying why not."""
    where = f"{table}.{column}"
    if not is_encrypted(stored):
        raise DecryptionError(
            f"{where} holds a value that is not encrypted; run the migrations, which encrypt "
            "the existing rows."
        )
    kid, sep, token = stored[len(PREFIX) :].partition(":")
    ring = ring or keyring.current()
    key = ring.keys.get(kid)
    if key is None:
        raise DecryptionError(
            f"{where} holds a value encrypted under the key {kid!r}, which PROTECTION_FIELD_KEYS "
            "does not list; put the key back until `manage.py rotate_keys` has run."
        )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as error:
        raise DecryptionError(f"{where} holds a damaged encrypted value.") from error
    if not sep or len(raw) <= NONCE_BYTES:
        raise DecryptionError(f"{where} holds a damaged encrypted value.")
    try:
        clear = AESGCM(key).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated_data(table, column)
        )
    except InvalidTag as error:
        raise DecryptionError(
            f"{where} holds a value that fails authentication under the key {kid!r}: it was "
            "altered, or copied from another column."
        ) from error
    return clear.decode()
