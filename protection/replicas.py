"""Read replicas: which reads may go to a streaming replica, and read-your-writes.

`DATABASE_REPLICA_URLS` adds replicas ("replica1", ...; protection/settings/databases.py). A
request reads from one only when all of these hold, and from the primary ("default") otherwise:

- it is a GET or HEAD of a list, search, dashboard, statistics or export page or endpoint
  (`REPLICA_VIEWS`, and every API list action);
- the browser or client has not written in the last `DATABASE_REPLICA_STICKY_SECONDS`: every
  request that is not a GET, HEAD or OPTIONS, and every request that wrote a record, sets the
  `REPLICA_COOKIE` for that long, so a person sees their own change at once (read-your-writes);
- the read is of the domain's records (`REPLICATED_APPS`): sessions, users, the audit trail and
  the rest of the foundation are read from the primary always;
- no transaction is open on the primary: a service reads what it is about to write there;
- the request has not written yet (the rest of it reads from the primary).

Background exports read from a replica too (`replica_reads`). Writes always go to the primary.
With no replica configured the router answers nothing and Django uses "default" throughout.
"""

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

REPLICA_PREFIX = "replica"
REPLICA_COOKIE = "primary_reads"
REPLICATED_APPS = frozenset({"camps", "cases", "incidents", "partners"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Pages whose reads may lag a replica by a moment: lists, searches, dashboards, figures.
REPLICA_VIEWS = frozenset(
    {
        "camps:list",
        "camps:detail",
        "cases:person_list",
        "cases:household_list",
        "cases:case_list",
        "cases:referral_sent_list",
        "cases:referral_inbox",
        "cases:import_list",
        "incidents:list",
        "incidents:map",
        "incidents:map_data",
        "monitoring:home",
        "monitoring:site",
        "monitoring:mission",
        "monitoring:report",
        "monitoring:report_pdf",
        "exports:list",
        "statistics",
        "statistic",
    }
)


@dataclass
class _Reads:
    replica: bool = False
    wrote: bool = False


_reads: ContextVar[_Reads | None] = ContextVar("replica_reads", default=None)


def replica_aliases() -> list[str]:
    """Return the aliases of the configured replicas (none: an empty list)."""
    return [alias for alias in connections.settings if alias.startswith(REPLICA_PREFIX)]


@contextmanager
def replica_reads() -> Iterator[None]:
    """Let the reads inside the block use a replica (until the block writes a record)."""
    token = _reads.set(_Reads(replica=bool(replica_aliases())))
    try:
        yield
    finally:
        _reads.reset(token)


class ReplicaRouter:
    """Send the reads a request or task allowed to a replica; everything else to default."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        reads = _reads.get()
        if reads is None or not reads.replica or model._meta.app_label not in REPLICATED_APPS:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        aliases = replica_aliases()
        return random.choice(aliases) if aliases else None  # noqa: S311 (spreading load)

    def db_for_write(self, model: type[Model], **hints: Any) -> str | None:
        reads = _reads.get()
        if reads is not None and model._meta.app_label in REPLICATED_APPS:
            reads.replica, reads.wrote = False, True
        return None

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the replicas hold the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db.startswith(REPLICA_PREFIX) else None


def _is_replica_view(request: HttpRequest, view_func: Callable[..., Any]) -> bool:
    match = request.resolver_match
    name = match.view_name if match else ""
    if name.removeprefix("api:") in REPLICA_VIEWS or name in REPLICA_VIEWS:
        return True
    actions = getattr(view_func, "actions", None) or {}
    return actions.get("get") == "list"


class ReplicaReadsMiddleware:
    """Decide per request whether its reads may use a replica; mark a writer's browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        reads = _Reads()
        token = _reads.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _reads.reset(token)
        if reads.wrote or request.method not in SAFE_METHODS:
            response.set_cookie(
                REPLICA_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_STICKY_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> None:
        reads = _reads.get()
        if (
            reads is not None
            and request.method in {"GET", "HEAD"}
            and REPLICA_COOKIE not in request.COOKIES
            and _is_replica_view(request, view_func)
        ):
            reads.replica = True
