"""The alerts escalation must look at: open, past their deadline, under a policy."""

import datetime

from incidents.models import Alert, AlertStatus


def alerts_due(*, now: datetime.datetime) -> list[int]:
    """Return the ids of open alerts whose acknowledgement deadline has passed."""
    return list(
        Alert.objects.filter(status=AlertStatus.OPEN, deadline_at__lte=now, policy__isnull=False)
        .order_by("deadline_at")
        .values_list("pk", flat=True)
    )
