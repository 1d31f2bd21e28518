"""App configuration for notifications: the delivery outbox, the inbox and webhook subscriptions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "protection.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from protection.notifications import retention, scopes

        scopes.register()
        retention.register()
