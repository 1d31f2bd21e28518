"""App configuration for user accounts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "protection.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from protection.accounts import signals  # noqa: F401 - connects the receivers
