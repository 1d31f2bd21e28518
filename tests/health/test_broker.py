"""The broker's figures: the queue counted on the real Redis, and never a hang when it is gone.

A refused connection and a frozen Redis (a server of this test's own, stopped with SIGSTOP:
its port accepts, it never answers) must each make the figure unknown, and critical, within
about the timeout, for the page and for the monitor alike.
"""

import time
from typing import Any

import pytest
from django.test import Client

from protection.celery import app
from protection.health import broker
from protection.health import figures as f
from protection.health.selectors import pipeline_health
from protection.health.tasks import HEARTBEAT
from tests.health.conftest import pointed_at

pytestmark = pytest.mark.django_db


def test_the_queue_depth_counts_every_waiting_task_of_each_queue(test_broker: str) -> None:
    for _ in range(3):
        app.send_task(HEARTBEAT)
    app.send_task(HEARTBEAT, priority=6)  # kombu keeps it in a list of its own

    depth = broker.queue_depth()

    assert depth.by_queue == {"celery": 4}
    assert depth.total == 4


def test_the_development_brokers_folder_is_counted_too(tmp_path: Any) -> None:
    folders = {
        "data_folder_in": str(tmp_path),
        "data_folder_out": str(tmp_path),
        "control_folder": str(tmp_path / "control"),
    }
    # Both names: celery 5.6 reads the Django setting's (namespaced) name before the plain one.
    names = ("broker_transport_options", "CELERY_BROKER_TRANSPORT_OPTIONS")
    previous = {name: app.conf.get(name) for name in names}
    for name in names:
        app.conf[name] = folders
    try:
        with pointed_at("filesystem://"):
            app.send_task(HEARTBEAT)
            app.send_task(HEARTBEAT)
            depth = broker.queue_depth()
    finally:
        for name, value in previous.items():
            app.conf[name] = value

    assert depth.by_queue == {"celery": 2}


def test_a_broker_that_refuses_makes_the_queue_and_the_workers_unknown(
    refused_broker: str, quick_broker_checks: None, superuser: Any
) -> None:
    started = time.monotonic()
    health = pipeline_health(user=superuser)
    elapsed = time.monotonic() - started

    by_name = {figure.name: figure for figure in health.figures}
    for name in (f.QUEUE_DEPTH, f.WORKERS):
        assert by_name[name].value is None
        assert by_name[name].status == f.Status.CRITICAL
        assert by_name[name].detail == {"error": "broker_unreachable"}
    assert elapsed < 3


def test_a_frozen_broker_never_holds_the_monitor_for_long(
    frozen_broker: str, quick_broker_checks: None, client: Client, superuser: Any
) -> None:
    client.force_login(superuser)

    started = time.monotonic()
    answer = client.get("/health/pipeline")
    elapsed = time.monotonic() - started

    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "critical"
    assert body["figures"][f.QUEUE_DEPTH]["value"] is None
    assert body["figures"][f.WORKERS]["value"] is None
    assert elapsed < 3, f"the monitor waited {elapsed:.1f} s"

    started = time.monotonic()
    page = client.get("/admin/pipeline/")
    elapsed = time.monotonic() - started

    assert page.status_code == 200
    assert "The broker did not answer." in page.content.decode()
    assert elapsed < 3, f"the page waited {elapsed:.1f} s"


def test_the_workers_answer_is_kept_briefly_and_asked_again_when_forgotten(
    test_broker: str, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PIPELINE_BROKER_TIMEOUT_SECONDS = 0.2
    pings: list[float] = []
    real_ping = app.control.ping

    def counting_ping(*args: Any, **kwargs: Any) -> Any:
        pings.append(time.monotonic())
        return real_ping(*args, **kwargs)

    monkeypatch.setattr(app.control, "ping", counting_ping)

    assert broker.workers_answering().count == 0
    assert broker.workers_answering().count == 0
    assert len(pings) == 1
    broker.forget_workers()
    broker.workers_answering()
    assert len(pings) == 2
