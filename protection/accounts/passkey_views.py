"""Passkey ceremonies (JSON, called by django-otp-webauthn's browser script) and removal.

The library's "begin" views only put a challenge in the session and are used as they are; its
"complete" views would keep a passkey or mark the session verified without our audit, so these
subclasses call protection.accounts.passkeys instead, and mark the session through
protection.accounts.middleware (a new session key, the step recorded) as a code does.
The script and its translations are served from this site (static files and the JavaScript
catalog below): nothing comes from elsewhere, and no inline script runs (CSP).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware import csrf
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as library

from protection.accounts.middleware import session_verified
from protection.accounts.passkeys import (
    passkey_delete,
    passkey_locked_error,
    passkey_register,
    passkey_verify,
)
from protection.accounts.second_factor import SecondFactorRefused, second_factor_status
from protection.accounts.types import signed_in

# The library's own catalog of the script's messages (in the user's language).
javascript_catalog = JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])


def passkey_config(request: HttpRequest, *, after: str = "") -> dict[str, Any]:
    """Return what the library's script reads from the page (json_script, no inline code)."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("passkey_authentication_begin"),
        "completeAuthenticationUrl": reverse("passkey_authentication_complete"),
        "beginRegistrationUrl": reverse("passkey_registration_begin"),
        "completeRegistrationUrl": reverse("passkey_registration_complete"),
        "afterRegistrationUrl": after or reverse("second_factor_account"),
    }


class RegistrationBegin(library.BeginCredentialRegistrationView):
    """Start registering a passkey (a challenge kept in the session); the library's view."""


class AuthenticationBegin(library.BeginCredentialAuthenticationView):
    """Start checking a passkey of the signed-in user; the library's view."""


class RegistrationComplete(library.CompleteCredentialRegistrationView):
    """Keep the new passkey through passkey_register (audited)."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        request = self.request
        user = signed_in(request.user)
        state = self.get_state()
        device = passkey_register(
            actor=user,
            helper=self.get_helper(),
            state=state,
            data=request.data,
        )
        if not user.is_verified():  # type: ignore[attr-defined]  # django-otp's middleware
            # Enrolment: the new passkey verifies the session, as a confirmed code does.
            session_verified(request, device)
        if second_factor_status(user).recovery_codes_left:
            messages.success(request, _("Passkey registered."))
        else:
            messages.warning(
                request,
                _(
                    "Passkey registered. Get recovery codes now: they let you in if you lose "
                    "the device that holds your passkey."
                ),
            )
        return JsonResponse({"id": device.pk})


class AuthenticationComplete(library.CompleteCredentialAuthenticationView):
    """Check the passkey's answer through passkey_verify (audited, counted toward lockout)."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        request = self.request
        user = self.get_user()
        if user is None:
            raise library.exceptions.NotAuthenticated()
        user = signed_in(user)
        state = self.get_state()
        try:
            device = passkey_verify(
                user=user,
                helper=self.get_helper(),
                state=state,
                data=request.data,
                request=request,
            )
        except SecondFactorRefused:
            logout(request)
            raise passkey_locked_error() from None
        session_verified(request, device)
        return JsonResponse(self.get_success_data(device))


@never_cache
@login_required
@require_POST
def passkey_remove(request: HttpRequest, passkey_id: int) -> HttpResponse:
    """Remove one of the user's own passkeys (another account's answers 404)."""
    try:
        passkey_delete(actor=signed_in(request.user), passkey_id=passkey_id)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Passkey removed."))
    return HttpResponseRedirect(reverse("second_factor_account"))
