"""A software passkey for tests: answers WebAuthn ceremonies as a browser's authenticator would.

It makes a P-256 key, answers the server's registration options with a "none" attestation, and
signs authentication challenges, so that the real checks of django-otp-webauthn (py_webauthn)
run on real data. The origin is the one the settings allow (OTP_WEBAUTHN_ALLOWED_ORIGINS).
"""

import base64
import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

# Flags of the authenticator data: user present, user verified, attested credential data.
_UP, _UV, _AT = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps(
        {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
    ).encode()


@dataclass
class SoftPasskey:
    """One credential on a software authenticator."""

    origin: str = field(default_factory=lambda: settings.OTP_WEBAUTHN_ALLOWED_ORIGINS[0])
    credential_id: bytes = field(default_factory=lambda: os.urandom(16))
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    sign_count: int = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {
                1: 2,  # kty: EC2
                3: -7,  # alg: ES256
                -1: 1,  # crv: P-256
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )

    def register(self, options: dict[str, Any]) -> dict[str, Any]:
        """Answer the server's registration options (navigator.credentials.create)."""
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = (
            bytes(16)
            + len(self.credential_id).to_bytes(2, "big")
            + self.credential_id
            + self._cose_key()
        )
        auth_data = rp_hash + bytes([_UP | _UV | _AT]) + (0).to_bytes(4, "big") + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = _client_data("webauthn.create", options["challenge"], self.origin)
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        }

    def authenticate(self, options: dict[str, Any], *, rp_id: str = "") -> dict[str, Any]:
        """Sign the server's challenge (navigator.credentials.get)."""
        self.sign_count += 1
        rp_hash = hashlib.sha256((rp_id or options["rpId"]).encode()).digest()
        auth_data = rp_hash + bytes([_UP | _UV]) + self.sign_count.to_bytes(4, "big")
        client_data = _client_data("webauthn.get", options["challenge"], self.origin)
        signature = self.key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
        }


REGISTER_BEGIN = "/accounts/two-factor/passkeys/register/begin/"
REGISTER_COMPLETE = "/accounts/two-factor/passkeys/register/complete/"
VERIFY_BEGIN = "/accounts/two-factor/passkeys/verify/begin/"
VERIFY_COMPLETE = "/accounts/two-factor/passkeys/verify/complete/"


def register_passkey(client: Any, passkey: SoftPasskey) -> Any:
    """Run a registration ceremony through the pages; return the completing response."""
    options = client.post(REGISTER_BEGIN).json()
    return client.post(
        REGISTER_COMPLETE, json.dumps(passkey.register(options)), content_type="application/json"
    )


def verify_with_passkey(client: Any, passkey: SoftPasskey, *, next_url: str = "") -> Any:
    """Run an authentication ceremony through the pages; return the completing response."""
    options = client.post(VERIFY_BEGIN).json()
    url = f"{VERIFY_COMPLETE}?next={next_url}" if next_url else VERIFY_COMPLETE
    return client.post(
        url, json.dumps(passkey.authenticate(options)), content_type="application/json"
    )
