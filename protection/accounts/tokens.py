"""Issue and revoke the API tokens partner systems sign in with (knox tokens); audited.

A token is stored as a digest and shown to its user once, in the answer to the login; the
audit trail records that a token was issued or revoked and its expiry, never the token or its
digest. A user holds at most REST_KNOX's TOKEN_LIMIT_PER_USER live tokens.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken
from knox.settings import knox_settings

from protection.accounts.models import User
from protection.audit import audit_record


class TokenLimitError(PermissionDenied):
    """The user already holds the most live tokens allowed."""


def _iso(moment: datetime.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def api_token_issue(*, actor: User) -> tuple[AuthToken, str]:
    """Issue a token to the signed-in actor; return the row and the token (shown once).

    Expired tokens are dropped first; raise TokenLimitError when the actor already holds the
    most live tokens allowed.
    """
    if not actor.is_active:
        raise PermissionDenied
    limit = knox_settings.TOKEN_LIMIT_PER_USER
    with transaction.atomic():
        # Lock the user row so that concurrent logins cannot pass the token limit together.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        now = timezone.now()
        AuthToken.objects.filter(user=actor, expiry__lt=now).delete()
        live = AuthToken.objects.filter(user=actor).filter(
            Q(expiry__gt=now) | Q(expiry__isnull=True)
        )
        if limit is not None and live.count() >= limit:
            raise TokenLimitError
        instance, token = AuthToken.objects.create(user=actor, expiry=knox_settings.TOKEN_TTL)
        audit_record(
            actor=actor,
            action="api_token.issue",
            obj=actor,
            changes={"expiry": [None, _iso(instance.expiry)]},
        )
    return instance, token


def api_token_revoke(*, actor: User, token: AuthToken) -> None:
    """Revoke one of the actor's own tokens (the one a logout request carries)."""
    if token.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=actor,
            changes={"expiry": [_iso(token.expiry), None]},
        )
        token.delete()


def api_token_revoke_all(*, actor: User) -> int:
    """Revoke every token of the actor, on every partner system; return how many there were."""
    with transaction.atomic():
        tokens: Any = AuthToken.objects.filter(user=actor)
        count = int(tokens.count())
        audit_record(
            actor=actor,
            action="api_token.revoke_all",
            obj=actor,
            changes={"tokens": [count, 0]},
        )
        tokens.delete()
    return count
