"""A user belongs to exactly one agency and holds one role; the access policy reads both."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    SUPERVISOR = "supervisor", _("Supervisor")
    PROTECTION_OFFICER = "protection_officer", _("Protection officer")
    CASE_WORKER = "case_worker", _("Case worker")
    PARTNER_API = "partner_api", _("Partner API client")
    ANALYST = "analyst", _("Analyst (aggregated figures only)")


class User(AbstractUser):
    """A person or a partner system that signs in."""

    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("agency"),
        null=True,
        help_text=_("Every user except the platform superuser belongs to one agency."),
    )
    role = models.CharField(
        _("role"), max_length=30, choices=Role.choices, default=Role.PROTECTION_OFFICER
    )
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | models.Q(is_superuser=True),
                name="user_has_agency_unless_superuser",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
