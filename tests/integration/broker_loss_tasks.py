"""A task that holds its message unacknowledged for a while, for the broker-loss test.

The worker of that test imports this module (`broker_loss_settings.CELERY_IMPORTS`); nothing
else registers it. It appends to a file what it did, so the test sees each run of it.
"""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.broker_loss.hold")
def hold(journal: str, mark: str, seconds: float) -> None:
    """Write `<mark> started`, sleep `seconds` (the message stays unacknowledged), write done."""
    path = Path(journal)
    with path.open("a", encoding="utf-8") as log:
        log.write(f"{mark} started\n")
    time.sleep(seconds)
    with path.open("a", encoding="utf-8") as log:
        log.write(f"{mark} done\n")
