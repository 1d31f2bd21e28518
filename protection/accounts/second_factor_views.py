"""Second-factor pages: the code after the password, enrolment, and the account's settings.

Thin: each page calls protection.accounts.second_factor and marks the session through
protection.accounts.middleware. The enrolment QR code is drawn here, on the server, as SVG
(segno): the secret never leaves for an outside service.
"""

import base64
from urllib.parse import urlencode

import segno
from axes.helpers import get_lockout_response
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from protection.accounts.middleware import session_verified
from protection.accounts.passkey_views import passkey_config
from protection.accounts.passkeys import passkeys_of
from protection.accounts.second_factor import (
    SESSION_STEP_KEY,
    STEP_ENROL,
    STEP_NONE,
    STEP_VERIFY,
    TOTP_DEVICE_NAME,
    SecondFactorRefused,
    recovery_codes_regenerate,
    second_factor_remove,
    second_factor_status,
    second_factor_step,
    second_factor_verify,
    totp_device_confirm,
    totp_device_start,
)
from protection.accounts.types import signed_in


class CodeForm(forms.Form):
    """One code: from the authenticator app, or a recovery code."""

    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def _next_url(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _to(name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': next_url})}")


def _qr_svg(url: str) -> str:
    """Return the otpauth URL as an inline SVG QR code (drawn here, never by a service)."""
    svg: str = segno.make(url, error="m").svg_inline(scale=5, border=2, title=_("QR code"))
    return svg


def _spaced_secret(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code after the password; on success the session may go anywhere."""
    user = signed_in(request.user)
    next_url = _next_url(request, reverse("home"))
    if user.is_verified():  # type: ignore[attr-defined]  # installed by django-otp's middleware
        return HttpResponseRedirect(next_url)
    # The middleware has just decided it for a held session; otherwise decide it here.
    step = getattr(request, "second_factor_pending", None) or second_factor_step(user)
    request.session[SESSION_STEP_KEY] = step
    if step == STEP_NONE:
        return HttpResponseRedirect(next_url)
    if step == STEP_ENROL:
        return _to("second_factor_setup", next_url)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = second_factor_verify(
                user=user, token=form.cleaned_data["otp_token"], request=request
            )
        except SecondFactorRefused as refused:
            if refused.reason == SecondFactorRefused.LOCKED:
                # The session ends, and django-axes' lockout page says for how long.
                credentials = {"username": user.get_username()}
                logout(request)
                response: HttpResponse = get_lockout_response(request, None, credentials)
                return response
            form.add_error("otp_token", refused.message)
        else:
            session_verified(request, device)
            if device.name != TOTP_DEVICE_NAME:
                messages.warning(
                    request,
                    _(
                        "You signed in with a recovery code; it will not work again. Get new "
                        "codes from your account's two-step verification page."
                    ),
                )
            return HttpResponseRedirect(next_url)
    status = second_factor_status(user)
    return render(
        request,
        "registration/second_factor_verify.html",
        {
            "form": form,
            "next": next_url,
            "status": status,
            "passkey_config": passkey_config(request) if status.passkeys else None,
        },
        status=200 if not form.errors else 400,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the key), then confirm a code."""
    user = signed_in(request.user)
    next_url = _next_url(request, reverse("second_factor_account"))
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        if not user.is_verified():  # type: ignore[attr-defined]
            return _to("second_factor_verify", next_url)
        messages.info(request, _("An authenticator app is already set up for this account."))
        return HttpResponseRedirect(reverse("second_factor_account"))
    if second_factor_step(user) == STEP_VERIFY and not user.is_verified():  # type: ignore[attr-defined]
        # Recovery codes alone: prove one before replacing the authenticator.
        return _to("second_factor_verify", request.path)
    device = totp_device_start(actor=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = totp_device_confirm(
                actor=user, device=device, token=form.cleaned_data["otp_token"], request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            device.refresh_from_db()
            session_verified(request, device)
            return render(
                request,
                "registration/second_factor_codes.html",
                {"codes": codes, "next": next_url, "enrolled": True},
            )
    return render(
        request,
        "registration/second_factor_setup.html",
        {
            "form": form,
            "next": next_url,
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308  (segno's own SVG)
            "secret": _spaced_secret(device),
            "required": second_factor_status(user).required,
            "passkey_config": passkey_config(request),
        },
        status=200 if not form.errors else 400,
    )


@never_cache
@login_required
def account(request: HttpRequest) -> HttpResponse:
    """Show whether the second factor is on, with what it allows the user to do."""
    user = signed_in(request.user)
    return render(
        request,
        "registration/second_factor_account.html",
        {
            "status": second_factor_status(user),
            "passkeys": passkeys_of(user),
            "passkey_config": passkey_config(request),
        },
    )


@never_cache
@login_required
@require_POST
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Replace the recovery codes and show the new ones, this once."""
    try:
        codes = recovery_codes_regenerate(actor=signed_in(request.user))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return HttpResponseRedirect(reverse("second_factor_account"))
    return render(
        request,
        "registration/second_factor_codes.html",
        {"codes": codes, "next": reverse("second_factor_account"), "enrolled": False},
    )


@never_cache
@login_required
@require_POST
def remove(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off, for a user whose role does not require one."""
    user = signed_in(request.user)
    try:
        second_factor_remove(actor=user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        request.session[SESSION_STEP_KEY] = STEP_NONE
        messages.success(request, _("Two-step verification is off for your account."))
    return HttpResponseRedirect(reverse("second_factor_account"))
