"""The heartbeat: when a periodic signal last went all the way round the pipeline.

Beat sends the heartbeat task on a schedule, the broker carries it, a worker runs it and
stores the time here. An old heartbeat means one of the three stopped: beat is down, or the
broker or the workers cannot reach it (the page's other figures tell which).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """The last time a worker ran the named periodic heartbeat; one row per name."""

    name = models.CharField(_("name"), max_length=40, primary_key=True)
    beat_at = models.DateTimeField(_("last heartbeat"))

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name}: {self.beat_at.isoformat()}"
