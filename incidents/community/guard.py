"""Keeping scripts off the public reporting page, with nothing stored about the sender.

No third-party service and no cookie: three checks a person passes without noticing.
- A signed ticket in the form, issued when the page was served: a post without one, with a
  forged one, sent within MIN_SECONDS of the page (scripts post at once) or after
  MAX_SECONDS is refused.
- A field that people never see (a honeypot): a post that fills it is refused.
- A rate limit per sender: REPORTS_PER_HOUR posts an hour. The sender is counted under a
  keyed hash of their address and the hour, in the cache, for an hour: the address itself is
  never written anywhere, and the hash changes every hour and with SECRET_KEY.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

from protection.audit import client_ip

MIN_SECONDS = 3
MAX_SECONDS = 2 * 60 * 60
_SALT = "incidents.community.ticket"


def reports_per_hour() -> int:
    return int(getattr(settings, "COMMUNITY_REPORTS_PER_HOUR", 5))


def ticket_issue() -> str:
    """Return a ticket for a form served now."""
    return signing.dumps(int(time.time()), salt=_SALT)


def ticket_valid(value: str, *, now: float | None = None) -> bool:
    """Return whether the ticket is ours and the form was filled in a human time."""
    try:
        issued = int(signing.loads(value, salt=_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return False
    waited = (now if now is not None else time.time()) - issued
    return MIN_SECONDS <= waited <= MAX_SECONDS


def _sender_key(request: HttpRequest) -> str:
    hour = int(time.time() // 3600)
    address = client_ip(request) or "unknown"
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{address}|{hour}".encode(), hashlib.sha256
    ).hexdigest()
    return f"community-report:{digest[:32]}"


def over_limit(request: HttpRequest) -> bool:
    """Count this post against the sender's hour; return whether it is one too many."""
    key = _sender_key(request)
    try:
        if cache.add(key, 1, timeout=3600):
            return False
        return int(cache.incr(key)) > reports_per_hour()
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=3600)
        return False
