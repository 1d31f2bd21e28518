"""API routes for the inbox and webhook subscriptions."""

from rest_framework.routers import SimpleRouter

from protection.notifications.api.views import NotificationViewSet, WebhookSubscriptionViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register(
    "webhook-subscriptions", WebhookSubscriptionViewSet, basename="webhook-subscription"
)

urlpatterns = router.urls
