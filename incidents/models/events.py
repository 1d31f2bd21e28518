"""Reports of one event: incidents several agencies reported of the same attack, linked.

Each agency keeps its own incident; an event groups them under one primary record, so that
figures count the event once (`event_key`). Linking, unlinking and choosing the primary are
services (incidents.events.services); the suggestions of what to link are a selector.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Func
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


class IncidentEvent(models.Model):
    """One event reported by several agencies: its reports are the incidents linked to it."""

    primary = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("primary record"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("linked by"),
    )
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("incident event")
        verbose_name_plural = _("incident events")
        constraints = [
            models.UniqueConstraint(fields=["primary"], name="incident_event_primary_once"),
        ]

    def __str__(self) -> str:
        return f"E-{self.pk}"


def event_key() -> Func:
    """Return what counts an incident once per event: minus the event's id, else its own id.

    Counted DISTINCT, two linked reports give one key and count as one; an unlinked incident
    (a positive id) never collides with an event (a negative one). No join is needed.
    """
    return Coalesce(-F("event_id"), F("pk"))
