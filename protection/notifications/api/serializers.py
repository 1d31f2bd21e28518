"""What the inbox and webhook-subscription API shows and accepts.

A subscription's secret appears in exactly two answers: the one that creates the subscription
and the one that rotates its secret. Every other answer shows only its last four characters.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from camps.models import Site
from protection import access
from protection.notifications.models import Notification, WebhookEvent, WebhookSubscription


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    """An item of the caller's inbox."""

    unread = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "event",
            "source_type",
            "source_id",
            "subject",
            "body",
            "created_at",
            "read_at",
            "unread",
        ]
        read_only_fields = fields


class WebhookSubscriptionSerializer(serializers.ModelSerializer[WebhookSubscription]):
    """A webhook subscription of the caller's agency (never with its secret)."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))
    sites: serializers.PrimaryKeyRelatedField[Site] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )

    class Meta:
        model = WebhookSubscription
        fields = [
            "id",
            "url",
            "events",
            "sites",
            "description",
            "active",
            "secret_hint",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WebhookSubscriptionWithSecretSerializer(WebhookSubscriptionSerializer):
    """A subscription with its signing secret: shown once, copy it now."""

    secret = serializers.SerializerMethodField(
        help_text=_(
            "The signing secret, whsec_ and base64: requests are signed the Standard Webhooks "
            "way (webhook-id, webhook-timestamp, webhook-signature), so any Standard Webhooks "
            "library verifies them with it. It is never shown again."
        )
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]
        read_only_fields = fields

    def get_secret(self, obj: Any) -> str:
        return str(self.context["secret"])


@extend_schema_field(OpenApiTypes.INT)
class WorkingSiteField(serializers.PrimaryKeyRelatedField[Site]):
    """A site where the caller's agency works; others are answered as non-existent."""

    def get_queryset(self) -> QuerySet[Site]:
        return access.sites_for(self.context["request"].user)


class WebhookSubscriptionInputSerializer(serializers.Serializer[None]):
    """A URL to call, for which events, for which sites (none: every site)."""

    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False
    )
    sites = WorkingSiteField(many=True, required=False)
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class WebhookSubscriptionUpdateSerializer(WebhookSubscriptionInputSerializer):
    url = serializers.URLField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        allow_empty=False,
        required=False,
    )
    active = serializers.BooleanField(required=False)
