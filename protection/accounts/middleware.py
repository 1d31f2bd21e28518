"""Hold a signed-in session at the second factor until it has passed it.

After the password, a user with a device must enter a code, and a user who must have a second
factor but has none must enrol one; until then the session reaches only those pages, sign-out,
the language switch and the health checks. Pages are redirected there; the API answers 403 in
JSON. The step is decided at sign-in (session_step_start) and kept in the session, so a
session with nothing to do costs no query; a session held at a step is checked afresh on each
request, so that a reset or an enrolment elsewhere is seen at once.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from protection.accounts.second_factor import (
    SESSION_STEP_KEY,
    STEP_ENROL,
    STEP_NONE,
    STEP_VERIFY,
    second_factor_step,
)

# What _pending_step answers for a session whose devices were reset since it signed in.
_SIGN_IN_AGAIN = "sign_in_again"


def session_step_start(request: Any, user: Any) -> None:
    """Record in a new browser session what the user must still do (sign-in receiver)."""
    session = getattr(request, "session", None)
    if not isinstance(request, HttpRequest) or session is None:
        return  # an API token login: no session to hold
    session[SESSION_STEP_KEY] = second_factor_step(user)


def session_verified(request: HttpRequest, device: Any) -> None:
    """Mark the session as having passed the second factor with `device`; rotate its key."""
    django_otp.login(request, device)
    request.session[SESSION_STEP_KEY] = STEP_VERIFY
    # A new session key: one seen before the code was entered is worth nothing after it.
    request.session.cycle_key()


class SecondFactorMiddleware:
    """Send a session that still owes a code or an enrolment to the page that takes it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def _open_paths(self) -> frozenset[str]:
        names = [
            "login",
            "logout",
            "second_factor_verify",
            "second_factor_setup",
            "passkey_registration_begin",
            "passkey_registration_complete",
            "passkey_authentication_begin",
            "passkey_authentication_complete",
            "passkey_jsi18n",
            "set_language",
            "admin:logout",
            "api-token",
            "healthz",
        ]
        return frozenset(reverse(name) for name in names)

    def _open(self, path: str) -> bool:
        return (
            path in self._open_paths
            or path.startswith(settings.STATIC_URL)
            or path.startswith("/health/")
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        step = self._pending_step(request)
        if step is None:
            return self.get_response(request)
        if step == _SIGN_IN_AGAIN:
            # The account's devices were reset after this session signed in with one: whoever
            # holds the session must prove the password again before enrolling a new device.
            logout(request)
            return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
        # The layout shows a held session no menu it could not follow.
        request.second_factor_pending = step  # type: ignore[attr-defined]
        if self._open(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": _("Enter your second-factor code in the web application first."),
                    "code": "second_factor_required",
                },
                status=403,
            )
        page = "second_factor_setup" if step == STEP_ENROL else "second_factor_verify"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(page)}?{query}")

    def _pending_step(self, request: HttpRequest) -> str | None:
        """Return the step this session still owes, or None when it may go anywhere."""
        user = request.user
        if not user.is_authenticated:
            return None
        is_verified = getattr(user, "is_verified", None)
        if is_verified is not None and is_verified():
            return None
        step = request.session.get(SESSION_STEP_KEY)
        if step == STEP_NONE:
            return None
        # Not decided at sign-in (a session older than this rule), or held at a step: look
        # again, since a device may have been enrolled or reset since.
        previous = step
        step = second_factor_step(user)
        if previous == STEP_VERIFY and step == STEP_ENROL:
            return _SIGN_IN_AGAIN
        request.session[SESSION_STEP_KEY] = step
        return None if step == STEP_NONE else step
