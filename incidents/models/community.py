"""Safety concerns reported by community members, without an account, awaiting triage."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from camps.models import Site
from incidents.models.reporting import Incident
from protection.crypto.fields import EncryptedTextField


class ConcernKind(models.TextChoices):
    """What the community member says happened, in words anyone can choose from."""

    VIOLENCE = "violence", _("Violence or a threat of violence")
    ARMED_PRESENCE = "armed_presence", _("Armed people or fighting nearby")
    SEXUAL_VIOLENCE = "sexual_violence", _("Sexual violence or abuse")
    CHILD = "child", _("A child at risk or missing")
    THEFT = "theft", _("Theft, looting or destroyed property")
    EVICTION = "eviction", _("Eviction or forced movement")
    OTHER = "other", _("Something else")


class ReportChannel(models.TextChoices):
    WEB = "web", _("Public web page")
    SMS = "sms", _("SMS gateway")
    HOTLINE = "hotline", _("Hotline")


class ReportState(models.TextChoices):
    """What the reporter is told, and where the report stands in triage."""

    RECEIVED = "received", _("Received")
    FOLLOWED_UP = "followed_up", _("Being followed up")
    CLOSED = "closed", _("Closed")


class CommunityReport(models.Model):
    """One concern as the reporter gave it: unverified until an officer triages it.

    Nothing identifies the sender but what they chose to give (the optional contact, kept
    encrypted like the narrative): no account, no address, no cookie.
    """

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="community_reports", verbose_name=_("site")
    )
    kind = models.CharField(_("what happened"), max_length=20, choices=ConcernKind.choices)
    description = EncryptedTextField(_("what the reporter says"))
    occurred_on = models.DateField(_("when"))
    contact = EncryptedTextField(_("contact, if the reporter gave one"), blank=True)
    language = models.CharField(_("language"), max_length=8)
    channel = models.CharField(_("channel"), max_length=10, choices=ReportChannel.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=ReportState.choices, default=ReportState.RECEIVED
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triaged by"),
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="community_reports",
        verbose_name=_("incident"),
    )
    close_reason = EncryptedTextField(_("why it was closed"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("community report")
        verbose_name_plural = _("community reports")
        indexes = [
            models.Index(fields=["site", "state", "-id"], name="community_site_state_idx"),
        ]

    def __str__(self) -> str:
        return self.reference
