"""Field mode: the installable app, its service worker, and the key of an officer's queue.

An officer without a connection still reports incidents and registers households: the report
and registration pages are kept by the service worker (`/sw.js`, scope `/`), and a form sent
offline is queued in the browser's IndexedDB by `static/js/field-mode.js`, encrypted with
AES-GCM under a key that belongs to the signed-in user. The key is not stored by the server:
it is derived, each time it is asked for, as an HMAC of the SECRET_KEY, the user's id and a
key version (`FIELD_KEY_VERSION`). The page imports it with WebCrypto as a non-extractable key
and keeps it in IndexedDB under the user's id, next to the queue's ciphertext; it deletes the
key (never the ciphertext) when the user signs out or another user signs in on the browser.
The same user signing in again gets the same key back, and the queue is readable and is sent.

Queued forms are sent in batches to `/field/sync` (protection.fieldsync), which posts each
one as it would have been posted, to the same page, under the one-time form token it got when
it was queued (`protection.pages.submitted_once`), so a form sent twice saves once. The sender
marks its requests with `X-Field-Sync: <user id>`: a request whose queue belongs to another
user than the signed-in one is refused (409) before any view, and a single form posted to its
page with that header gets its redirect as a short JSON answer (where the form led).
"""

import base64
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from protection.accounts.types import AuthenticatedHttpRequest

SYNC_HEADER = "X-Field-Sync"
_KEY_SALT = "protection.fieldmode.queue-key"
# The pages an officer can fill without a connection, kept by the service worker.
OFFLINE_PAGES = ("incidents:report", "cases:household_register")
OFFLINE_STATIC = (
    "css/app.css",
    "css/forms.css",
    "js/field-mode.js",
    "js/formset.js",
    "js/needs-picker.js",
    "favicon.svg",
)


def queue_key(user_id: int, version: int) -> bytes:
    """Return the 32-byte AES key of a user's offline queue (the same at every sign-in)."""
    return salted_hmac(_KEY_SALT, f"{user_id}:{version}", algorithm="sha256").digest()


@login_required
@require_GET
def field_key(request: AuthenticatedHttpRequest) -> JsonResponse:
    """Give the signed-in user the key of their offline queue (never stored, never cached)."""
    version = settings.FIELD_KEY_VERSION
    key = base64.b64encode(queue_key(request.user.pk, version)).decode()
    return JsonResponse({"user": request.user.pk, "version": version, "key": key})


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, with the hashed addresses of the files it keeps."""
    context = {
        "version": json.dumps(settings.FIELD_KEY_VERSION),
        "static": json.dumps([static(name) for name in OFFLINE_STATIC]),
        "pages": json.dumps([reverse(name) for name in OFFLINE_PAGES]),
    }
    response = render(request, "fieldmode/sw.js", context, content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the app installs on a phone's home screen."""
    data = {
        "name": gettext("Protection registry"),
        "short_name": gettext("Protection"),
        "start_url": reverse("incidents:report"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "icons": [{"src": static("favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    response = JsonResponse(data)
    response["Content-Type"] = "application/manifest+json"
    return response


class FieldSyncMiddleware:
    """Answer the queue's sender briefly, and only for the queue's own user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        owner = request.headers.get(SYNC_HEADER)
        if owner is None or request.method != "POST":
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return JsonResponse({"signed_out": True}, status=401)
        if owner != str(user.pk):
            message = gettext("These records were saved by another user; they were not sent.")
            return JsonResponse({"detail": message}, status=409)
        response = self.get_response(request)
        if response.status_code in (301, 302, 303):
            return JsonResponse({"location": response["Location"]})
        return response
