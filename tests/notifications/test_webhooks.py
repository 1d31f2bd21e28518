"""Webhook requests: signatures a receiver can verify, and destinations the server refuses."""

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from protection.notifications import webhooks
from protection.notifications.models import DeliveryOutcome
from tests.notifications.receiver import verify, verify_legacy

SECRET = webhooks.encode_secret(b"a key shared with the partner, 32+")


def _signed(body: bytes, timestamp: int, message_id: str = "3f1c-delivery") -> dict[str, str]:
    return webhooks.signed_headers(
        secret=SECRET, message_id=message_id, timestamp=timestamp, body=body, event="alert.raised"
    )


def test_a_receiver_verifies_the_signature_with_the_standard_library() -> None:
    body = webhooks.encode_body({"type": "alert.raised", "data": {"alert": {"id": 7}}})
    now = int(time.time())
    headers = _signed(body, now)

    assert headers["webhook-id"] == "3f1c-delivery"
    assert headers["webhook-timestamp"] == str(now)
    assert headers["webhook-signature"].startswith("v1,")
    assert verify(secret=SECRET, headers=headers, body=body)
    # A changed body, another secret, another id, or a timestamp moved: all refused.
    assert not verify(secret=SECRET, headers=headers, body=body.replace(b"7", b"8"))
    assert not verify(secret=webhooks.new_secret(), headers=headers, body=body)
    assert not verify(secret=SECRET, headers={**headers, "webhook-id": "other"}, body=body)
    moved = {**headers, "webhook-timestamp": str(now + 1)}
    assert not verify(secret=SECRET, headers=moved, body=body)


def test_a_request_signed_long_ago_is_refused_as_a_replay() -> None:
    body = webhooks.encode_body({"type": "alert.raised"})
    with time_machine.travel(time.time() - 600, tick=False):
        headers = _signed(body, int(time.time()))
    assert not verify(secret=SECRET, headers=headers, body=body)


def test_the_deprecated_headers_still_verify_with_the_same_key() -> None:
    body = webhooks.encode_body({"event": "alert.raised"})
    now = int(time.time())
    headers = _signed(body, now)

    key = webhooks.secret_key(SECRET)
    assert verify_legacy(key=key, headers=headers, body=body, now=now)
    assert not verify_legacy(key=b"guess", headers=headers, body=body, now=now)
    assert headers["Idempotency-Key"] == headers["webhook-id"]
    assert headers["X-Protection-Event"] == "alert.raised"


def test_the_body_is_compact_sorted_json() -> None:
    assert webhooks.encode_body({"b": 1, "a": [1, 2]}) == b'{"a":[1,2],"b":1}'


def test_secrets_are_whsec_base64_of_256_fresh_bits() -> None:
    secrets = {webhooks.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    assert all(s.startswith("whsec_") for s in secrets)
    assert {len(webhooks.secret_key(s)) for s in secrets} == {32}
    for bad in ("s3cret-without-prefix", "whsec_not base64!"):
        with pytest.raises(ValueError):
            webhooks.secret_key(bad)


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
        assert error.value.outcome == DeliveryOutcome.UNDELIVERABLE


def test_a_redirect_is_a_failure_not_followed(settings: Any, receiver: Any) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    receiver.answers.append(302)
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url=receiver.url, body=b"{}", headers={}, timeout=2)
    assert str(error.value).startswith("HTTP 302")
    assert not error.value.permanent
    assert error.value.outcome == DeliveryOutcome.REFUSED
    assert len(receiver.requests) == 1


def test_a_receiver_that_never_answers_times_out(settings: Any, silent_server: str) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    started = time.monotonic()
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url=silent_server, body=b"{}", headers={}, timeout=0.5)
    assert time.monotonic() - started < 5
    assert not error.value.permanent
    # The request went out: "no answer in time", not "refused" nor "could not connect".
    assert error.value.outcome == DeliveryOutcome.TIMEOUT
    assert str(error.value) == "No answer within 0.5 s."


@pytest.fixture
def trickling_server() -> Iterator[str]:
    """A server that answers one byte of headers every 0.1 s, for ever (each read succeeds)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection = listener.accept()[0]
            except OSError:
                continue
            with connection:
                connection.sendall(b"HTTP/1.1 200 OK\r\n")
                while not stop.is_set():
                    try:
                        connection.sendall(b"X")
                    except OSError:
                        break
                    time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join(timeout=2)
        listener.close()


def test_a_receiver_that_answers_a_byte_at_a_time_is_cut_off_in_time(
    settings: Any, trickling_server: str
) -> None:
    """The limit is on the whole request, not on each read: a send ends before its lease."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    started = time.monotonic()
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url=trickling_server, body=b"{}", headers={}, timeout=1)
    assert time.monotonic() - started < 3
    assert error.value.outcome == DeliveryOutcome.TIMEOUT


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
    assert error.value.outcome == DeliveryOutcome.CONNECTION
