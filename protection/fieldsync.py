"""Field mode's batched sync: many queued records in one request, answered record by record.

The officer's device sends its waiting records (static/js/field-mode.js) as one compact JSON
body to `/field/sync`: `{"records": [{"id": ..., "action": ..., "fields": [[name, value], ...]}]}`,
in the order they were queued. Each record is what its form would have posted, and it is posted,
here, to that form's own page view (`action`, one of `SYNCED_PAGES`), under its id as the
form's one-time token (`protection.pages.submitted_once`): the same form, validation, access
checks and service as a page submission, with no second code path to keep in step. Records are
handled one after the other, each in its own transaction (the services'), so a batch cut
half-way keeps what was saved, and a batch sent again saves nothing twice: each record's token
answers where its first submission led.

Each record's answer, in order:
- `{"id", "status": "saved", "location"}`: created (or, for an edit, applied);
- `{"id", "status": "refused", "message"}`: the page's notice and each field's error, a site
  out of scope, possible duplicates found at registration, a record no longer visible, a role
  lost; the officer opens it to correct it and send it again;
- `{"id", "status": "conflict", "message"}`: an edit whose fields were changed meanwhile on the
  server (protection.edits); nothing was saved; opening it shows the page's conflict choice.

The request is the session's, with its CSRF token and `X-Field-Sync: <user id>`
(`protection.fieldmode.FieldSyncMiddleware` refuses another user's queue); it is bounded
(`MAX_RECORDS`, `MAX_BYTES`: 400 and 413 with a message, nothing saved).
"""

import copy
import json
from html.parser import HTMLParser
from typing import Any

from django.contrib import messages
from django.contrib.messages.storage.base import BaseStorage, Message
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase, JsonResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from protection import idempotency
from protection.fieldmode import SYNC_HEADER
from protection.pages import SUBMISSION_TOKEN

MAX_RECORDS = 20
MAX_BYTES = 64 * 1024
# The pages whose forms an officer may fill offline; a record names one of them.
SYNCED_PAGES = frozenset(
    {"incidents:report", "cases:household_register", "incidents:update", "cases:person_edit"}
)
_VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"})


class _Kept(BaseStorage):
    """A record's messages, kept for its answer (never stored in the session)."""

    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request)
        self.kept: list[Message] = []

    def add(self, level: int, message: Any, extra_tags: str | None = "") -> None:
        if level >= self.level:
            self.kept.append(Message(level, message, extra_tags))

    def _get(self, *args: Any, **kwargs: Any) -> tuple[list[Message], bool]:
        return [], True

    def _store(self, messages: list[Message], response: Any, *args: Any, **kwargs: Any) -> None:
        return None

    def errors(self) -> list[str]:
        return [str(m.message) for m in self.kept if m.level >= messages.WARNING]


class _Refusal(HTMLParser):
    """The words of a refused form page: its notices, then each field's label and errors."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.depth = 0
        self.main = self.alert = self.field = self.errors = self.label = -1
        self.words: list[str] = []
        self.name = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        self.depth += 1
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if tag == "main":
            self.main = self.depth
        elif self.main < 0:
            return
        elif found.get("role") == "alert" and self.alert < 0:
            self.alert, self.words = self.depth, []
        elif "has-error" in classes and self.field < 0:
            self.field, self.name, self.words = self.depth, "", []
        elif self.field >= 0 and tag in ("label", "legend") and not self.name:
            self.label, self.words = self.depth, []
        elif self.field >= 0 and "errorlist" in classes:
            self.errors, self.words = self.depth, []

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        text = " ".join(" ".join(self.words).split())
        if self.depth == self.label:
            self.name, self.label = text.rstrip(":\uff1a"), -1
        elif self.depth == self.errors:
            self._add(f"{self.name}: {text}" if self.name else text)
            self.errors = -1
        elif self.depth == self.field:
            self.field = -1
        elif self.depth == self.alert:
            self._add(text)
            self.alert = -1
        elif self.depth == self.main:
            self.main = -1
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.alert >= 0 or self.label >= 0 or self.errors >= 0:
            self.words.append(data)

    def _add(self, words: str) -> None:
        if words and words not in self.parts:
            self.parts.append(words)


def refusal_words(html: str) -> str:
    """Return what a refused form page tells the officer, as one line."""
    parser = _Refusal()
    parser.feed(html)
    return " ".join(parser.parts)


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"detail": message}, status=status)


def _records(body: bytes) -> list[dict[str, Any]] | str:
    """Return the batch's records, checked, or what is wrong with it."""
    try:
        data = json.loads(body)
    except ValueError:
        return gettext("The batch is not valid JSON.")
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list) or not records:
        return gettext("The batch holds no records.")
    if len(records) > MAX_RECORDS:
        return gettext("A batch holds at most %(count)d records.") % {"count": MAX_RECORDS}
    for record in records:
        if not (
            isinstance(record, dict)
            and isinstance(record.get("id"), str)
            and 0 < len(record["id"]) <= idempotency.KEY_MAX_LENGTH
            and isinstance(record.get("action"), str)
            and isinstance(record.get("fields"), list)
            and all(
                isinstance(pair, list) and len(pair) == 2 and all(isinstance(v, str) for v in pair)
                for pair in record["fields"]
            )
        ):
            return gettext("Each record needs an id, the page it was filled on, and its fields.")
        try:
            match = resolve(record["action"])
        except Resolver404:
            match = None
        if match is None or match.view_name not in SYNCED_PAGES:
            return gettext("A record names a page that cannot be filled offline.")
    return records


def _page_request(request: HttpRequest, record: dict[str, Any]) -> HttpRequest:
    """Return the request the record's form would have sent to its page (same session)."""
    sub = copy.copy(request)
    sub.path = sub.path_info = record["action"]
    sub.META = {
        **{k: v for k, v in request.META.items() if not k.startswith("HTTP_X_FIELD")},
        "PATH_INFO": record["action"],
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
    }
    data = QueryDict(mutable=True)
    for name, value in record["fields"]:
        if name not in (SUBMISSION_TOKEN, "csrfmiddlewaretoken"):
            data.appendlist(name, value)
    data[SUBMISSION_TOKEN] = record["id"]
    data._mutable = False
    sub.GET = QueryDict()
    sub._post, sub._files = data, MultiValueDict()  # type: ignore[attr-defined]
    sub._messages = _Kept(sub)  # type: ignore[attr-defined]
    return sub


def _answer(request: HttpRequest, record: dict[str, Any]) -> dict[str, str]:
    """Post one record to its page and say what became of it."""
    sub = _page_request(request, record)
    match = resolve(record["action"])
    sub.resolver_match = match
    answer = {"id": record["id"]}
    try:
        response: HttpResponseBase = match.func(sub, *match.args, **match.kwargs)
    except Http404:
        message = gettext("This record is not found, or it is no longer in your scope.")
        return {**answer, "status": "refused", "message": message}
    except PermissionDenied:
        message = gettext("Your role no longer allows this.")
        return {**answer, "status": "refused", "message": message}
    kept: _Kept = sub._messages  # type: ignore[attr-defined]
    if response.status_code in (301, 302, 303) and not kept.errors():
        return {**answer, "status": "saved", "location": response["Location"]}
    if response.status_code == 409:
        message = gettext(
            "Changed meanwhile by someone else: nothing was saved. Open it to choose which "
            "values to keep."
        )
        return {**answer, "status": "conflict", "message": message}
    words = kept.errors()
    if hasattr(response, "content") and response.get("Content-Type", "").startswith("text/html"):
        words.append(refusal_words(response.content.decode()))
    message = " ".join(w for w in words if w) or gettext("The server refused this record.")
    return {**answer, "status": "refused", "message": message}


@require_POST
def field_sync(request: HttpRequest) -> JsonResponse:
    """Save a batch of queued records through their pages, in order; answer each."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_out": True}, status=401)
    owner = request.headers.get(SYNC_HEADER)
    if owner is None:
        return _bad(gettext("Say whose records these are (X-Field-Sync)."))
    if owner != str(request.user.pk):
        return _bad(gettext("These records were saved by another user; they were not sent."), 409)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BYTES or len(request.body) > MAX_BYTES:
        message = gettext("A batch holds at most %(size)d KB.") % {"size": MAX_BYTES // 1024}
        return _bad(message, 413)
    records = _records(request.body)
    if isinstance(records, str):
        return _bad(records)
    return JsonResponse({"results": [_answer(request, record) for record in records]})
