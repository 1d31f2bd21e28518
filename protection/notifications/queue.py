"""The names of the notification tasks, and how a service puts work on the queue.

Tasks (tasks.py) are the worker's entry points: each calls a service. The services that enqueue
work (the outbox when its transaction commits, the sweeper) ask Celery for the task by the name
it is registered under, so that services never import the tasks module and the import graph
keeps its one direction: tasks -> services -> queue.
"""

from typing import Any

from celery import current_app

DELIVERY_SEND = "protection.notifications.tasks.delivery_send"
DELIVERIES_SWEEP = "protection.notifications.tasks.deliveries_sweep"


def delivery_send_enqueue(delivery_id: int) -> Any:
    """Queue the sending of one delivery (raises if the broker cannot take it).

    By name (send_task): a web process never imports the tasks modules (only the worker
    discovers them), so looking the task up in the registry there would fail, and every
    delivery would wait for the sweeper.
    """
    return current_app.send_task(DELIVERY_SEND, args=(delivery_id,))
