"""Drills: simulated incidents, clearly marked, sent through the real alert chain to measure it.

A drill's incidents are ordinary incidents with `drill` set: they raise alerts, escalate and are
acknowledged like any other, but the access policy's incident scope leaves them out, so no list,
map, statistic, early warning or export ever counts them; only the drill's own report reads them.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Drill(models.Model):
    """One exercise of an agency at a site, from its start until a supervisor ends it."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    agency = models.ForeignKey(
        "partners.PartnerAgency",
        on_delete=models.PROTECT,
        related_name="drills",
        verbose_name=_("agency"),
    )
    site = models.ForeignKey(
        "camps.Site", on_delete=models.PROTECT, related_name="drills", verbose_name=_("site")
    )
    scenario = models.CharField(
        _("scenario"),
        max_length=200,
        help_text=_("What the simulated incident pretends happened; no real names."),
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="drill_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["agency", "-id"], name="drill_agency_idx")]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("incidents:drill_detail", args=[self.pk])

    @property
    def running(self) -> bool:
        return self.ended_at is None
