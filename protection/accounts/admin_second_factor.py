"""The admin's side of the second factor: each account's status, and its reset.

The reset page (a confirmation, then a POST) calls second_factor_reset, which audits it. An
account the administrator may not manage (another agency's, a superuser's) answers 404, as the
rest of the user admin does. django-otp's (and django-otp-webauthn's) device admins are
removed: they would show secrets and write devices without an audit event.
"""

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from protection.accounts.models import User
from protection.accounts.second_factor import second_factor_reset, second_factor_status
from protection.admin_services import acting_user

for _model in (TOTPDevice, StaticDevice, WebAuthnCredential, WebAuthnAttestation):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


class SecondFactorAdminMixin:
    """Add the second-factor status to the account page and a reset view behind it."""

    def get_urls(self) -> list[URLPattern]:
        urls: list[URLPattern] = super().get_urls()  # type: ignore[misc]
        view = self.admin_site.admin_view(self.second_factor_reset_view)  # type: ignore[attr-defined]
        return [
            path("<int:user_id>/second-factor/reset/", view, name="accounts_user_second_factor"),
            *urls,
        ]

    @admin.display(description=gettext_lazy("Two-step verification"))
    def second_factor(self, obj: User) -> str:
        """Say whether the account has a second factor, with a link to reset it."""
        if obj.pk is None:
            return "-"
        status = second_factor_status(obj)
        state = _("On") if status.enrolled else _("Off")
        if status.required:
            state = _("%(state)s (required for this account)") % {"state": state}
        if not status.enrolled:
            return state
        url = reverse("admin:accounts_user_second_factor", args=[obj.pk])
        return format_html('{} · <a href="{}">{}</a>', state, url, _("Reset"))

    def second_factor_reset_view(self, request: HttpRequest, user_id: int) -> HttpResponse:
        """Confirm, then remove the account's devices through second_factor_reset."""
        user = self.get_object(request, str(user_id))  # type: ignore[attr-defined]
        if user is None or not self.has_change_permission(request, user):  # type: ignore[attr-defined]
            raise Http404
        change_url = reverse("admin:accounts_user_change", args=[user.pk])
        if request.method == "POST":
            try:
                count = second_factor_reset(actor=acting_user(request), user=user)
            except PermissionDenied as error:
                raise Http404 from error
            except ValidationError as error:
                for text in error.messages:
                    self.message_user(request, text, messages.ERROR)  # type: ignore[attr-defined]
                return HttpResponseRedirect(change_url)
            self.message_user(  # type: ignore[attr-defined]
                request,
                ngettext(
                    "Two-step verification was reset for %(username)s (%(count)d device "
                    "removed). They set it up again at their next sign-in.",
                    "Two-step verification was reset for %(username)s (%(count)d devices "
                    "removed). They set it up again at their next sign-in.",
                    count,
                )
                % {"username": user.get_username(), "count": count},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": _("Reset two-step verification"),
            "account": user,
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "change_url": change_url,
            "status": second_factor_status(user),
        }
        return TemplateResponse(request, "admin/accounts/second_factor_reset.html", context)
