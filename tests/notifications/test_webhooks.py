"""Webhook requests: signatures a receiver can verify, and destinations the server refuses."""

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from protection.notifications import webhooks
from tests.notifications.receiver import verify

SECRET = "s3cret-shared-with-the-partner"


def _signed(body: bytes, timestamp: int) -> dict[str, str]:
    return webhooks.signed_headers(
        secret=SECRET, timestamp=timestamp, body=body, event="alert.raised", idempotency_key="k1"
    )


def test_a_receiver_verifies_the_signature_over_timestamp_and_body() -> None:
    body = webhooks.encode_body({"event": "alert.raised", "data": {"alert": {"id": 7}}})
    now = int(time.time())
    headers = _signed(body, now)

    assert headers["X-Protection-Signature"].startswith("sha256=")
    assert headers["X-Protection-Timestamp"] == str(now)
    assert verify(secret=SECRET, headers=headers, body=body, now=now)
    # A changed body, another secret, or a replay long after: all refused.
    assert not verify(secret=SECRET, headers=headers, body=body.replace(b"7", b"8"), now=now)
    assert not verify(secret="guess", headers=headers, body=body, now=now)
    assert not verify(secret=SECRET, headers=headers, body=body, now=now + 3600)
    # The timestamp is covered by the signature: moving it forward breaks the signature.
    moved = {**headers, "X-Protection-Timestamp": str(now + 3600)}
    assert not verify(secret=SECRET, headers=moved, body=body, now=now + 3600)


def test_the_body_is_compact_sorted_json() -> None:
    assert webhooks.encode_body({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'


def test_secrets_are_long_and_fresh_each_time() -> None:
    secrets = {webhooks.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(len(s) >= 40 for s in secrets)


@pytest.mark.parametrize(
    ("url", "require_https", "accepted"),
    [
        ("https://partner.example.org/hook", True, True),
        ("http://partner.example.org/hook", True, False),
        ("http://partner.example.org/hook", False, True),
        ("ftp://partner.example.org/hook", False, False),
        ("https://user:pass@partner.example.org/hook", True, False),
        ("https:///no-host", True, False),
    ],
)
def test_subscription_urls(url: str, require_https: bool, accepted: bool, settings: Any) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = require_https
    assert (webhooks.check_url(url) is None) is accepted


def test_the_server_refuses_to_call_its_own_network(settings: Any) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    for url in ("http://127.0.0.1:6379/", "http://169.254.169.254/latest", "http://10.1.2.3/"):
        with pytest.raises(webhooks.WebhookError) as error:
            webhooks.post(url=url, body=b"{}", headers={}, timeout=1)
        assert error.value.permanent


def test_a_redirect_is_a_failure_not_followed(settings: Any, receiver: Any) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receiver.answers.append(302)
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url=receiver.url, body=b"{}", headers={}, timeout=2)
    assert str(error.value).startswith("HTTP 302")
    assert not error.value.permanent
    assert len(receiver.requests) == 1


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


def test_a_receiver_that_never_answers_times_out(settings: Any, silent_server: str) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    started = time.monotonic()
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url=silent_server, body=b"{}", headers={}, timeout=0.5)
    assert time.monotonic() - started < 5
    assert not error.value.permanent


def test_a_closed_port_is_a_failure_worth_retrying(settings: Any) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url=f"http://127.0.0.1:{port}/", body=b"{}", headers={}, timeout=1)
    assert "Connection failed" in str(error.value)
    assert not error.value.permanent
