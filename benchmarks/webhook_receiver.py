"""A partner's webhook endpoint on 127.0.0.1 for the benchmarks: it checks every signature and
notes when each delivery arrived.

It accepts both signatures the project has used: Standard Webhooks (`webhook-id`,
`webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, a
`whsec_` secret) and the earlier `X-Protection-Signature: sha256=<hex HMAC of "timestamp.body">`.
"""

import base64
import hashlib
import hmac
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def signature_valid(secret: str, headers: Any, body: bytes) -> bool:
    """Return whether the request carries a valid signature of either scheme."""
    standard = headers.get("webhook-signature")
    if standard:
        key = secret.removeprefix("whsec_")
        try:
            key_bytes = base64.b64decode(key)
        except ValueError:
            key_bytes = key.encode()
        signed = f"{headers.get('webhook-id', '')}.{headers.get('webhook-timestamp', '')}."
        digest = hmac.new(key_bytes, signed.encode() + body, hashlib.sha256).digest()
        expected = base64.b64encode(digest).decode()
        offered = [part.split(",", 1)[-1] for part in standard.split() if part.startswith("v1,")]
        return any(hmac.compare_digest(expected, candidate) for candidate in offered)
    timestamp = headers.get("X-Protection-Timestamp", "")
    expected_hex = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(headers.get("X-Protection-Signature", ""), f"sha256={expected_hex}")


class Receiver:
    """Serve on a free port of 127.0.0.1 until closed; `arrivals` maps message ids to times."""

    def __init__(self) -> None:
        self.secret = ""
        self.arrivals: dict[str, float] = {}
        self.bad_signatures = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                arrived = time.time()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                valid = signature_valid(receiver.secret, self.headers, body)
                key = self.headers.get("webhook-id") or self.headers.get("Idempotency-Key") or ""
                with receiver.lock:
                    if not valid:
                        receiver.bad_signatures += 1
                    receiver.arrivals.setdefault(key, arrived)
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
