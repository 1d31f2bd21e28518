"""A partner's webhook endpoint for tests, and the verification a receiver does.

`verify` is what a partner writes from README alone: the `standardwebhooks` library's
`Webhook(secret).verify(body, headers)`, which checks the `webhook-signature` over
"<webhook-id>.<webhook-timestamp>.<body>" and refuses a timestamp more than five minutes from
now, so that a captured request cannot be replayed. `verify_legacy` checks the deprecated
X-Protection-Signature the way receivers of the first version do.
"""

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

REPLAY_WINDOW_SECONDS = 300


def verify(*, secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Return whether a request really comes from the server holding `secret`, and is fresh."""
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


def verify_legacy(
    *, key: bytes, headers: dict[str, str], body: bytes, now: float | None = None
) -> bool:
    """Check the deprecated X-Protection-Signature ("sha256=" and hex HMAC of "<ts>.<body>")."""
    lowered = {name.lower(): value for name, value in headers.items()}
    timestamp = lowered.get("x-protection-timestamp", "")
    signature = lowered.get("x-protection-signature", "")
    if not timestamp.isdigit() or not signature.startswith("sha256="):
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > REPLAY_WINDOW_SECONDS:
        return False
    expected = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(signature.removeprefix("sha256="), expected.hexdigest())


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def document(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str:
        """Return a header by name, whatever its case (HTTP names are case-insensitive)."""
        lowered = {key.lower(): value for key, value in self.headers.items()}
        return lowered.get(name.lower(), "")


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 (a free port) that records requests and answers as told.

    `answers` is a queue of status codes used one per request; when empty, it answers 200.
    Clearing `release` holds every answer until it is set again (a receiver that hangs);
    `arrived` is set when a request has come in.
    """

    def __init__(self) -> None:
        self.requests: list[ReceivedRequest] = []
        self.answers: deque[int] = deque()
        self.release = threading.Event()
        self.release.set()
        self.arrived = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    status = receiver.answers.popleft() if receiver.answers else 200
                    receiver.requests.append(
                        ReceivedRequest(self.path, dict(self.headers.items()), body, status)
                    )
                receiver.arrived.set()
                receiver.release.wait(timeout=60)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if status < 300 else b"receiver says no")
                except OSError:
                    pass  # the sender gave up waiting and closed the connection

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # shutdown() waits for the loop to look at its flag, every poll_interval (0.5 s unless
        # told): a short one lets each test that uses a receiver end at once.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks/protection"

    def successful(self) -> list[ReceivedRequest]:
        with self._lock:
            return [r for r in self.requests if r.answered < 300]

    def __enter__(self) -> "WebhookReceiver":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
