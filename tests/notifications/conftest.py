"""Fixtures for the notification machinery: webhook settings for local receivers, subscribers."""

import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from protection.notifications.services.subscriptions import webhook_subscription_create
from tests import factories
from tests.notifications.receiver import WebhookReceiver


@pytest.fixture
def local_webhooks(settings: Any) -> None:
    """Let webhooks reach a receiver on 127.0.0.1 over plain HTTP, as tests need."""
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def partner_agency(db: None) -> Any:
    return factories.AgencyFactory(name="Child Relief", acronym="CRF")


@pytest.fixture
def partner_system(partner_agency: Any) -> Any:
    return factories.UserFactory(agency=partner_agency, role="partner_api", username="crf_api")


@pytest.fixture
def partner_admin(partner_agency: Any) -> Any:
    return factories.UserFactory(agency=partner_agency, role="admin", username="crf_admin")


@pytest.fixture
def subscribe(local_webhooks: None) -> Any:
    """Return a function that registers a subscription and returns it with its secret."""

    def create(actor: Any, url: str, events: list[str] | None = None, sites: Any = ()) -> Any:
        return webhook_subscription_create(
            actor=actor,
            url=url,
            events=events or ["alert.raised", "alert.escalated", "incident.reported"],
            sites=list(sites),
        )

    return create


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in held:
            connection.close()
        listener.close()
