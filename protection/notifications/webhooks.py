"""Sign and send webhook requests, and refuse destinations the server must not call.

Requests follow the Standard Webhooks specification (https://www.standardwebhooks.com/), so that
a partner verifies them with an off-the-shelf library: `webhook-id` is the delivery's UUID, the
same on every retry (a receiver drops a request whose id it has seen); `webhook-timestamp` is
the Unix time of the attempt in seconds; `webhook-signature` is `v1,<base64 HMAC-SHA256>` of
"<id>.<timestamp>.<body>", keyed with the subscription's secret (`whsec_<base64 of the key>`).
A receiver recomputes it, compares in constant time, and rejects timestamps more than five
minutes away, so that a captured request cannot be replayed later.

The headers of the first version (X-Protection-Signature, X-Protection-Timestamp,
X-Protection-Event, Idempotency-Key) are still sent, with the same key, for receivers written
before; README lists them as deprecated.
"""

import base64
import binascii
import hashlib
import hmac
import http.client
import json
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from protection.notifications import egress
from protection.notifications.cutoff import CutOff
from protection.notifications.models import DeliveryOutcome

SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's marker, not a secret
SECRET_BYTES = 32
ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
SIGNATURE_VERSION = "v1"
# Deprecated: the first version's headers, kept for receivers written before Standard Webhooks.
LEGACY_SIGNATURE_HEADER = "X-Protection-Signature"
LEGACY_TIMESTAMP_HEADER = "X-Protection-Timestamp"
LEGACY_EVENT_HEADER = "X-Protection-Event"
LEGACY_IDEMPOTENCY_HEADER = "Idempotency-Key"
_ERROR_EXCERPT = 300


class WebhookError(Exception):
    """A request that did not succeed, and how (`outcome`); `permanent` ones are not retried."""

    def __init__(
        self,
        message: str,
        *,
        outcome: str = DeliveryOutcome.CONNECTION,
        permanent: bool = False,
    ) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.permanent = permanent


def new_secret() -> str:
    """Return a fresh signing secret: 256 random bits, as `whsec_<base64>`."""
    return encode_secret(secrets.token_bytes(SECRET_BYTES))


def encode_secret(key: bytes) -> str:
    """Return the secret a partner is shown for an HMAC key."""
    return SECRET_PREFIX + base64.b64encode(key).decode("ascii")


def secret_key(secret: str) -> bytes:
    """Return the HMAC key of a `whsec_` secret; raise ValueError for anything else."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("A signing secret starts with whsec_.")
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise ValueError("A signing secret is whsec_ and base64.") from error


def encode_body(document: dict[str, Any]) -> bytes:
    """Serialise the JSON body once; the signature covers exactly these bytes."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Return the `webhook-signature` value for a body sent as `message_id` at `timestamp`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def legacy_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the deprecated X-Protection-Signature value (hex HMAC of "<timestamp>.<body>")."""
    signed = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret_key(secret), signed, hashlib.sha256).hexdigest()


def signed_headers(
    *, secret: str, message_id: str, timestamp: int, body: bytes, event: str
) -> dict[str, str]:
    """Return the headers of one signed request."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "protection-webhooks/2",
        ID_HEADER: message_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(
            secret=secret, message_id=message_id, timestamp=timestamp, body=body
        ),
        LEGACY_EVENT_HEADER: event,
        LEGACY_IDEMPOTENCY_HEADER: message_id,
        LEGACY_TIMESTAMP_HEADER: str(timestamp),
        LEGACY_SIGNATURE_HEADER: legacy_sign(secret=secret, timestamp=timestamp, body=body),
    }


def check_url(url: str) -> str | None:
    """Return why a subscription may not use this URL, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return _("The URL must start with https:// and name a host.")
    if parts.scheme != "https" and getattr(settings, "WEBHOOK_REQUIRE_HTTPS", True):
        return _("The URL must use https://.")
    if parts.username or parts.password:
        return _("The URL must not contain a user name or password.")
    return None


@dataclass(frozen=True)
class WebhookResponse:
    status: int


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> WebhookResponse:
    """POST the body within `timeout` seconds in all; return the 2xx response, or raise.

    The WebhookError tells apart a receiver that answered with an error ("refused"), one that
    did not answer in time ("timeout": it may have got the request), and a connection that
    failed or was cut ("connection").
    """
    started = time.monotonic()
    problem = check_url(url)
    if problem:
        raise WebhookError(problem, outcome=DeliveryOutcome.UNDELIVERABLE, permanent=True)
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        # Looked up once here (direct mode); the connection goes to these addresses only.
        addresses = egress.destination(
            host=host, port=parts.port or (443 if parts.scheme == "https" else 80)
        )
    except egress.DestinationRefused as refused:
        outcome = DeliveryOutcome.UNDELIVERABLE if refused.permanent else DeliveryOutcome.CONNECTION
        raise WebhookError(str(refused), outcome=outcome, permanent=refused.permanent) from refused
    # A slow name lookup spends the same budget: the request may only have what is left.
    remaining = timeout - (time.monotonic() - started)
    if remaining <= 0:
        raise WebhookError(f"Looking up {host} took more than {timeout:g} s.")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    late = f"No answer within {timeout:g} s."
    with CutOff(remaining) as cutoff:
        try:
            with egress.opener(addresses, cutoff).open(request, timeout=remaining) as response:
                response.read(_ERROR_EXCERPT)
                status = response.status
            if cutoff.expired:
                # Cut short: what looked like an answer was only the part that arrived in time.
                raise WebhookError(late, outcome=DeliveryOutcome.TIMEOUT)
            return WebhookResponse(status=status)
        except urllib.error.HTTPError as error:
            try:
                excerpt = error.read(_ERROR_EXCERPT).decode("utf-8", "replace").strip()
            except OSError:
                excerpt = ""
            message = f"HTTP {error.code}: {excerpt}".strip()
            raise WebhookError(message, outcome=DeliveryOutcome.REFUSED) from error
        except urllib.error.URLError as error:
            # Raised while connecting or writing the request: it did not reach the receiver.
            reason = f"not done within {timeout:g} s" if cutoff.expired else error.reason
            raise WebhookError(f"Connection failed: {reason}") from error
        except (TimeoutError, OSError, http.client.HTTPException) as error:
            # Raised while waiting for the answer: the request was sent, maybe received.
            if cutoff.expired or isinstance(error, TimeoutError):
                raise WebhookError(late, outcome=DeliveryOutcome.TIMEOUT) from error
            raise WebhookError(f"Connection failed: {error}") from error
