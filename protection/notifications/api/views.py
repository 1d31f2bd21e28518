"""The inbox and webhook subscriptions over the API.

A partner system registers the URLs its agency receives events at; the answer to a creation
(or to a secret rotation) is the only one that holds the secret. Deleting a subscription
deactivates it: deliveries already made keep pointing to it.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from protection import access
from protection.access import Action
from protection.accounts.types import signed_in
from protection.api import ProtectedViewSet
from protection.idempotency import Outcome
from protection.notifications import selectors
from protection.notifications.api.serializers import (
    NotificationSerializer,
    WebhookSubscriptionInputSerializer,
    WebhookSubscriptionSerializer,
    WebhookSubscriptionUpdateSerializer,
    WebhookSubscriptionWithSecretSerializer,
)
from protection.notifications.models import Notification, WebhookSubscription
from protection.notifications.services import inbox, subscriptions


@extend_schema_view(
    list=extend_schema(
        summary=_("List the caller's inbox, newest first"),
        parameters=[
            OpenApiParameter("unread", bool, description=_("Only the unread notifications."))
        ],
    ),
)
class NotificationViewSet(mixins.ListModelMixin, ProtectedViewSet[Notification]):
    """The caller's own notifications (alerts, escalations, notices of failed deliveries)."""

    serializer_class = NotificationSerializer
    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {"list": Action.RECEIVE_ALERTS, "read": Action.RECEIVE_ALERTS}

    def get_queryset(self) -> QuerySet[Notification]:
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return selectors.notification_list(user=signed_in(self.request.user), unread_only=unread)

    @extend_schema(summary=_("Mark a notification read"), request=None)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        notification = selectors.notification_get(user=signed_in(request.user), pk=int(pk))
        inbox.notification_mark_read(actor=signed_in(request.user), notification=notification)
        return Response(NotificationSerializer(notification).data)

    def replay(self, outcome: Outcome) -> Response:
        """Answer a retried "mark read" with the notification, read again."""
        notification = selectors.notification_get(
            user=signed_in(self.request.user), pk=int(self.kwargs["pk"])
        )
        return Response(NotificationSerializer(notification).data)


@extend_schema_view(
    list=extend_schema(summary=_("List the webhook subscriptions of the caller's agency")),
    retrieve=extend_schema(summary=_("Show a webhook subscription (without its secret)")),
    create=extend_schema(
        summary=_("Register a URL for events; the answer holds the secret, once"),
        request=WebhookSubscriptionInputSerializer,
        responses={201: WebhookSubscriptionWithSecretSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a subscription's URL, events, sites or active flag"),
        request=WebhookSubscriptionUpdateSerializer,
        responses=WebhookSubscriptionSerializer,
    ),
    destroy=extend_schema(summary=_("Deactivate a subscription (it is kept, not deleted)")),
)
class WebhookSubscriptionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ProtectedViewSet[WebhookSubscription],
):
    """Where a partner system receives signed events about the camps it works in."""

    ordering_fields = ["id"]
    ordering = ["-id"]
    required_actions = {
        "list": Action.MANAGE_WEBHOOKS,
        "retrieve": Action.MANAGE_WEBHOOKS,
        "create": Action.MANAGE_WEBHOOKS,
        "partial_update": Action.MANAGE_WEBHOOKS,
        "destroy": Action.MANAGE_WEBHOOKS,
        "rotate_secret": Action.MANAGE_WEBHOOKS,
    }

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        return (
            access.webhook_subscriptions_for(self.request.user)
            .prefetch_related("sites")
            .order_by("-id")
        )

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        if self.action == "create":
            return WebhookSubscriptionInputSerializer
        if self.action == "partial_update":
            return WebhookSubscriptionUpdateSerializer
        return WebhookSubscriptionSerializer

    def _with_secret(self, created: subscriptions.SubscriptionWithSecret, code: int) -> Response:
        body = WebhookSubscriptionWithSecretSerializer(
            created.subscription, context={"secret": created.secret}
        ).data
        response = Response(body, status=code)
        response["Cache-Control"] = "no-store"
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = WebhookSubscriptionInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        created = subscriptions.webhook_subscription_create(
            actor=signed_in(request.user),
            url=values["url"],
            events=values["events"],
            sites=values.get("sites", []),
            description=values.get("description", ""),
        )
        return self._with_secret(created, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscription = self.get_object()
        serializer = WebhookSubscriptionUpdateSerializer(
            data=request.data, context=self.get_serializer_context(), partial=True
        )
        serializer.is_valid(raise_exception=True)
        subscription = subscriptions.webhook_subscription_update(
            actor=signed_in(request.user), subscription=subscription, **serializer.validated_data
        )
        return Response(WebhookSubscriptionSerializer(subscription).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        subscriptions.webhook_subscription_update(
            actor=signed_in(request.user), subscription=self.get_object(), active=False
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    def replay(self, outcome: Outcome) -> Response:
        """Answer a retried creation or rotation as the first answer did: with the secret.

        The retry is the same request of the same caller, whose first answer may never have
        arrived; without the secret they could not verify a single event. The secret in
        force is the one shown, so a later rotation shows the later secret.
        """
        self.kwargs = {**self.kwargs, "pk": str(outcome.object_id)}
        subscription = self.get_object()
        created = subscriptions.SubscriptionWithSecret(
            subscription=subscription, secret=subscription.secret
        )
        return self._with_secret(created, outcome.status_code)

    @extend_schema(
        summary=_("Replace the signing secret; the answer holds the new one, once"),
        request=None,
        responses=WebhookSubscriptionWithSecretSerializer,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, pk: str) -> Response:
        rotated = subscriptions.webhook_subscription_rotate_secret(
            actor=signed_in(request.user), subscription=self.get_object()
        )
        return self._with_secret(rotated, status.HTTP_200_OK)
