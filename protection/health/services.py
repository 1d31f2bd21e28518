"""The one write of the pipeline's health: a worker records that the beat heartbeat arrived.

Not audited: a heartbeat is the machinery's own state, about nobody's record, and arrives
every half minute (the audit trail would hold 2,880 of them a day and nothing else worth reading).
"""

import datetime

from django.utils import timezone

from protection.health.models import Heartbeat

BEAT = "beat"


def heartbeat_record(*, name: str = BEAT, now: datetime.datetime | None = None) -> Heartbeat:
    """Store that the heartbeat `name` went round now; safe to run twice (the later time wins)."""
    beat_at = now or timezone.now()
    heartbeat, _created = Heartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": beat_at}
    )
    return heartbeat
