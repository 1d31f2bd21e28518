"""Sign and send webhook requests, and refuse destinations the server must not call.

Each request carries a JSON body and four headers: the event name, the delivery's UUID as an
idempotency key (a receiver drops a request whose key it has seen), a Unix timestamp, and an
HMAC-SHA256 signature over "<timestamp>.<body>" with the subscription's secret. A receiver
recomputes the signature, compares it in constant time, and rejects old timestamps, so that a
captured request cannot be replayed later.
"""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Protection-Signature"
TIMESTAMP_HEADER = "X-Protection-Timestamp"
EVENT_HEADER = "X-Protection-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
SIGNATURE_SCHEME = "sha256"
_ERROR_EXCERPT = 300


class WebhookError(Exception):
    """A request that did not succeed; `permanent` errors are not worth retrying."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def new_secret() -> str:
    """Return a fresh signing secret (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def encode_body(document: dict[str, Any]) -> bytes:
    """Serialise the JSON body once; the signature covers exactly these bytes."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), default=str).encode()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value for a body sent at `timestamp`."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_SCHEME}={digest}"


def signed_headers(
    *, secret: str, timestamp: int, body: bytes, event: str, idempotency_key: str
) -> dict[str, str]:
    """Return the headers of one signed request."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "protection-webhooks/1",
        EVENT_HEADER: event,
        IDEMPOTENCY_HEADER: idempotency_key,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=secret, timestamp=timestamp, body=body),
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


def _check_destination(host: str, port: int) -> None:
    """Refuse loopback, private and link-local addresses unless the setting allows them.

    Without this a partner could point a subscription at the server's own network (the
    database, Redis, cloud metadata) and make it send requests there.
    """
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False):
        return
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise WebhookError(f"Cannot resolve {host}: {error}") from error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global or address.is_multicast:
            raise WebhookError(
                f"{host} resolves to a non-public address ({address}).", permanent=True
            )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as a failure: following it would skip the destination check."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _opener() -> urllib.request.OpenerDirector:
    proxy = getattr(settings, "WEBHOOK_PROXY_URL", "")
    proxies = {"http": proxy, "https": proxy} if proxy else {}
    return urllib.request.build_opener(urllib.request.ProxyHandler(proxies), _NoRedirect())


@dataclass(frozen=True)
class WebhookResponse:
    status: int


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> WebhookResponse:
    """POST the body; return the response on 2xx, raise WebhookError otherwise."""
    problem = check_url(url)
    if problem:
        raise WebhookError(problem, permanent=True)
    parts = urlsplit(url)
    host = parts.hostname or ""
    _check_destination(host, parts.port or (443 if parts.scheme == "https" else 80))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with _opener().open(request, timeout=timeout) as response:
            response.read(_ERROR_EXCERPT)
            return WebhookResponse(status=response.status)
    except urllib.error.HTTPError as error:
        excerpt = error.read(_ERROR_EXCERPT).decode("utf-8", "replace").strip()
        raise WebhookError(f"HTTP {error.code}: {excerpt}".strip()) from error
    except urllib.error.URLError as error:
        raise WebhookError(f"Connection failed: {error.reason}") from error
    except TimeoutError as error:
        raise WebhookError(f"No answer within {timeout:g} s.") from error
    except OSError as error:
        raise WebhookError(f"Connection failed: {error}") from error
