"""Admin for deliveries (read-only, dead ones with their last error) and webhook subscriptions.

Deliveries are written by services, never by hand; an admin can only send a dead one again
once its cause is fixed. A subscription's secret is shown once, on the page that follows its
creation or rotation, and never again.
"""

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from protection.accounts.services import is_agency_admin, is_superuser
from protection.admin_services import AgencyAdminsReadOnlyModelAdmin, ServiceModelAdmin, acting_user
from protection.notifications.models import (
    Delivery,
    DeliveryStatus,
    WebhookEvent,
    WebhookSubscription,
)
from protection.notifications.services import dead_letters, subscriptions

if TYPE_CHECKING:
    pass


class DeadDeliveryFilter(admin.SimpleListFilter):
    """The deliveries given up on: the list an admin checks first."""

    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("dead", _("Dead (gave up)")),
            ("retrying", _("Failed, will retry")),
            ("sending", _("Sending")),
            ("waiting", _("Pending")),
            ("sent", _("Sent")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        status = {
            "dead": DeliveryStatus.DEAD,
            "retrying": DeliveryStatus.FAILED,
            "sending": DeliveryStatus.SENDING,
            "waiting": DeliveryStatus.PENDING,
            "sent": DeliveryStatus.SENT,
        }.get(self.value() or "")
        return queryset.filter(status=status) if status else queryset


@admin.register(Delivery)
class DeliveryAdmin(AgencyAdminsReadOnlyModelAdmin[Delivery]):
    """Every notice sent or being sent; filter on dead ones to see why they failed."""

    list_display = (
        "id",
        "created_at",
        "event",
        "channel",
        "recipient_label",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    )
    list_filter = (DeadDeliveryFilter, "last_outcome", "channel", "event")
    list_select_related = ("recipient_user", "subscription")
    search_fields = ("=uuid", "=source_id", "=recipient_user__username")
    ordering = ("-id",)
    show_full_result_count = False
    actions = ["send_again"]
    fields = (
        "uuid",
        "event",
        "channel",
        "recipient_user",
        "subscription",
        "source_type",
        "source_id",
        "subject",
        "body",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "last_outcome",
        "last_error",
        "created_at",
        "sent_at",
        "dead_at",
    )
    readonly_fields = fields

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        # The outcome first: a dead delivery that timed out may have reached its receiver.
        return obj.failure_summary[:160]

    def has_send_again_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        user = acting_user(request)
        if is_agency_admin(user):
            return queryset.filter(
                Q(recipient_user__agency_id=user.agency_id)
                | Q(subscription__agency_id=user.agency_id)
            )
        return queryset.none()

    @admin.action(
        description=_("Send the selected dead deliveries again"), permissions=["send_again"]
    )
    def send_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        """Reset dead deliveries to pending with fresh attempts, and send them."""
        count = 0
        for delivery in queryset.filter(status=DeliveryStatus.DEAD):
            try:
                dead_letters.delivery_retry(actor=acting_user(request), delivery=delivery)
            except (PermissionDenied, ValidationError):
                continue
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be sent again.",
                "%(count)d deliveries will be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


class WebhookSubscriptionForm(forms.ModelForm[WebhookSubscription]):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookSubscription
        fields = ("url", "events", "sites", "description", "active")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ServiceModelAdmin[WebhookSubscription]):
    """Partners' URLs; an agency administrator registers their agency's, the secret shown once."""

    form = WebhookSubscriptionForm
    list_display = ("url", "agency", "active", "secret_hint", "created_at")
    list_filter = ("active", ("agency", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("agency",)
    search_fields = ("url", "description")
    filter_horizontal = ("sites",)
    readonly_fields = ("agency", "secret_hint", "created_by", "created_at", "updated_at")
    actions = ["deactivate", "rotate_secret"]
    ordering = ("-id",)

    def get_fields(
        self, request: HttpRequest, obj: WebhookSubscription | None = None
    ) -> tuple[str, ...]:
        if obj is None:
            return ("url", "events", "sites", "description")
        return (
            "agency",
            "url",
            "events",
            "sites",
            "description",
            "active",
            "secret_hint",
            "created_by",
            "created_at",
            "updated_at",
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[WebhookSubscription]:
        queryset = super().get_queryset(request)
        if is_superuser(request.user):
            return queryset
        user = acting_user(request)
        if is_agency_admin(user):
            return queryset.filter(agency_id=user.agency_id)
        return queryset.none()

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_superuser(request.user) or is_agency_admin(request.user)

    def has_view_permission(
        self, request: HttpRequest, obj: WebhookSubscription | None = None
    ) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The subscription belongs to the agency of the person who registers it.
        return is_agency_admin(request.user)

    def has_change_permission(
        self, request: HttpRequest, obj: WebhookSubscription | None = None
    ) -> bool:
        if is_superuser(request.user):
            return True
        user = acting_user(request)
        return is_agency_admin(user) and (obj is None or obj.agency_id == user.agency_id)

    def has_delete_permission(
        self, request: HttpRequest, obj: WebhookSubscription | None = None
    ) -> bool:
        # Deliveries keep pointing to a subscription; deactivate it instead.
        return False

    def has_rotate_secret_permission(self, request: HttpRequest) -> bool:
        return self.has_change_permission(request)

    def service_validate(
        self, request: HttpRequest, form: forms.ModelForm[WebhookSubscription]
    ) -> None:
        data = form.cleaned_data
        subscriptions.webhook_subscription_validate(
            actor=acting_user(request),
            url=data["url"].strip(),
            events=data["events"],
            sites=list(data["sites"]),
            agency=form.instance.agency if form.instance.pk else None,
        )

    def save_model(
        self,
        request: HttpRequest,
        obj: WebhookSubscription,
        form: forms.ModelForm[WebhookSubscription],
        change: bool,
    ) -> None:
        data = form.cleaned_data
        if change:
            # The form has already written the new values onto obj: give the service the
            # stored row, so that the audit trail records what changed.
            stored = WebhookSubscription.objects.get(pk=obj.pk)
            subscriptions.webhook_subscription_update(
                actor=acting_user(request),
                subscription=stored,
                url=data["url"],
                events=data["events"],
                sites=list(data["sites"]),
                description=data["description"],
                active=data["active"],
            )
            return
        created = subscriptions.webhook_subscription_create(
            actor=acting_user(request),
            url=data["url"],
            events=data["events"],
            sites=list(data["sites"]),
            description=data["description"],
        )
        obj.pk = created.subscription.pk
        request._webhook_created = created  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: WebhookSubscription, post_url_continue: str | None = None
    ) -> HttpResponse:
        created = getattr(request, "_webhook_created", None)
        if created is None:
            return super().response_add(request, obj, post_url_continue)
        return self._secret_page(request, created.subscription, created.secret)

    def _secret_page(
        self, request: HttpRequest, obj: WebhookSubscription, secret: str
    ) -> HttpResponse:
        """Show the secret on this one response; it is not stored in any message or session."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "subscription": obj,
            "secret": secret,
            "title": _("Copy the signing secret"),
        }
        response = TemplateResponse(
            request, "admin/notifications/webhooksubscription/secret.html", context
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Deactivate the selected subscriptions"), permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]) -> None:
        """Stop calling these URLs; pending deliveries to them are given up."""
        count = 0
        for subscription in queryset.filter(active=True):
            subscriptions.webhook_subscription_update(
                actor=acting_user(request), subscription=subscription, active=False
            )
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d subscription deactivated.", "%(count)d subscriptions deactivated.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Rotate the signing secret"), permissions=["rotate_secret"])
    def rotate_secret(
        self, request: HttpRequest, queryset: QuerySet[WebhookSubscription]
    ) -> HttpResponse | None:
        """Give one subscription a new secret and show it once."""
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose exactly one subscription to rotate its secret."), messages.ERROR
            )
            return None
        subscription = queryset.get()
        rotated = subscriptions.webhook_subscription_rotate_secret(
            actor=acting_user(request), subscription=subscription
        )
        return self._secret_page(request, rotated.subscription, rotated.secret)
