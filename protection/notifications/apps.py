"""App configuration for notifications: the delivery outbox, the inbox and webhook subscriptions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "protection.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        # The tasks register with Celery in every process, the web's too: the outbox enqueues
        # them by name (protection.notifications.queue) and never imports the tasks module.
        from protection.notifications import scopes, tasks  # noqa: F401

        scopes.register()
