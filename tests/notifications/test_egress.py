"""Webhook egress: the name is looked up once, and the request goes to the address checked.

DNS cannot be served from a test, so `socket.getaddrinfo` answers for the partner's made-up
host names (and only for them); no packet may leave the machine either, so a connection to a
public address is refused on the spot and written down. Everything else is real: the
receivers on 127.0.0.1, the TLS handshake, the proxy, and the outbox recording the attempts.
"""

import datetime
import http.server
import ipaddress
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from protection.notifications import egress, webhooks
from protection.notifications.models import Delivery, DeliveryChannel, DeliveryStatus
from protection.notifications.services import sending
from protection.notifications.services.outbox import Content, Recipient, deliveries_queue

PUBLIC = "93.184.215.14"
_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


@dataclass
class FakeDNS:
    """Answers for made-up names: the n-th look-up of a name gets its n-th answer (or last)."""

    answers: dict[str, list[list[str]]]
    lookups: dict[str, int] = field(default_factory=dict)

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in self.answers:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        count = self.lookups[host] = self.lookups.get(host, 0) + 1
        answer = self.answers[host][min(count, len(self.answers[host])) - 1]
        result = []
        for text in answer:
            family = socket.AF_INET6 if ":" in text else socket.AF_INET
            where = (text, int(port), 0, 0) if family == socket.AF_INET6 else (text, int(port))
            result.append((family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", where))
        return result


@dataclass
class Connections:
    """Every connection asked for; those to a non-loopback address are refused, unsent."""

    attempted: list[tuple[str, int]] = field(default_factory=list)

    def create_connection(self, address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        host, port = address[0], int(address[1])
        self.attempted.append((host, port))
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None and not literal.is_loopback:
            raise ConnectionRefusedError(111, "Connection refused (kept on this machine)")
        return _real_create_connection(address, *args, **kwargs)


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[list[str]]]], FakeDNS]:
    def install(answers: dict[str, list[list[str]]]) -> FakeDNS:
        fake = FakeDNS(answers)
        monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
        return fake

    return install


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Connections:
    watched = Connections()
    monkeypatch.setattr(socket, "create_connection", watched.create_connection)
    return watched


def _queue(site: Any, subscription: Any) -> Delivery:
    (delivery,) = deliveries_queue(
        source=site,
        occasion="egress",
        event="alert.raised",
        recipients=[Recipient(channel=DeliveryChannel.WEBHOOK, subscription=subscription)],
        compose=lambda r: Content(subject="Alert at the camp", body="Please look."),
        payload={},
    )
    return delivery


def test_a_name_that_rebinds_to_loopback_after_the_check_reaches_nothing_local(
    site: Any,
    partner_admin: Any,
    subscribe: Any,
    receiver: Any,
    settings: Any,
    dns: Any,
    connections: Connections,
) -> None:
    """Public to the first look-up, 127.0.0.1 to the second: the request goes to the public
    address checked, never to the local server; the next attempt looks up anew, gets
    127.0.0.1, and is refused for good, with the reason recorded."""
    port = int(receiver.url.split(":")[2].split("/")[0])
    url = f"http://rebind.partner.example:{port}/hook"
    created = subscribe(partner_admin, url)
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_EGRESS = egress.DIRECT
    fake = dns({"rebind.partner.example": [[PUBLIC], ["127.0.0.1"]]})
    delivery = _queue(site, created.subscription)

    sending.delivery_send(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert fake.lookups == {"rebind.partner.example": 1}
    assert connections.attempted == [(PUBLIC, port)]
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_outcome == "connection"

    later = timezone.now() + datetime.timedelta(days=1)
    sending.delivery_send(delivery_id=delivery.pk, now=later)

    delivery.refresh_from_db()
    assert fake.lookups == {"rebind.partner.example": 2}
    assert connections.attempted == [(PUBLIC, port)]  # nothing more was connected to
    assert delivery.status == DeliveryStatus.DEAD
    assert delivery.last_outcome == "undeliverable"
    assert delivery.last_error == (
        "rebind.partner.example resolves to a non-public address (127.0.0.1); not sent."
    )
    assert receiver.requests == []


def test_one_private_address_among_public_ones_refuses_the_whole_name(
    settings: Any, dns: Any, connections: Connections
) -> None:
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_EGRESS = egress.DIRECT
    dns({"mixed.partner.example": [[PUBLIC, "2606:4700::1111", "fd00::5"]]})
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url="http://mixed.partner.example/hook", body=b"{}", headers={}, timeout=1)
    assert error.value.permanent
    assert (
        str(error.value)
        == "mixed.partner.example resolves to a non-public address (fd00::5); not sent."
    )
    assert connections.attempted == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.2.3.4", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("224.0.0.251", False),
        ("240.0.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address to classify, not to bind
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fe80::1", False),
        ("fd12:3456::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:7f00:1::", False),
        ("2002:5db8:d70e::", True),
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert egress.is_public(ipaddress.ip_address(address)) is public


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: S603, S607


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A test CA, and certificates it signed for tls.partner.example and for another name."""
    where = tmp_path_factory.mktemp("pki")
    _openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
        "-keyout",
        str(where / "ca.key"),
        "-out",
        str(where / "ca.pem"),
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    )
    for name in ("tls.partner.example", "someone-else.example"):
        _openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={name}",
            "-keyout",
            str(where / f"{name}.key"),
            "-out",
            str(where / f"{name}.csr"),
        )
        (where / f"{name}.ext").write_text(f"subjectAltName=DNS:{name}\n")
        _openssl(
            "x509",
            "-req",
            "-in",
            str(where / f"{name}.csr"),
            "-CA",
            str(where / "ca.pem"),
            "-CAkey",
            str(where / "ca.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            str(where / f"{name}.ext"),
            "-out",
            str(where / f"{name}.pem"),
        )
    return where


@dataclass
class TLSReceiver:
    url_port: int
    server_names: list[str | None]
    hosts: list[str]


@pytest.fixture
def tls_receiver(certificates: Path, request: pytest.FixtureRequest) -> Iterator[TLSReceiver]:
    name = getattr(request, "param", "tls.partner.example")
    seen = TLSReceiver(url_port=0, server_names=[], hosts=[])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            seen.hosts.append(self.headers.get("Host", ""))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / f"{name}.pem", certificates / f"{name}.key")
    context.sni_callback = lambda sock, server_name, ctx: seen.server_names.append(server_name)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    seen.url_port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield seen
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def trust_test_ca(certificates: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make the test CA the one OpenSSL trusts by default, as SSL_CERT_FILE does for real."""
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    egress._tls_context.cache_clear()
    yield
    egress._tls_context.cache_clear()


def test_a_pinned_tls_request_keeps_the_host_name_for_sni_the_certificate_and_host(
    settings: Any,
    dns: Any,
    connections: Connections,
    tls_receiver: TLSReceiver,
    trust_test_ca: None,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True  # the receiver is on 127.0.0.1
    settings.WEBHOOK_EGRESS = egress.DIRECT
    fake = dns({"tls.partner.example": [["127.0.0.1"]]})
    url = f"https://tls.partner.example:{tls_receiver.url_port}/hook"

    response = webhooks.post(url=url, body=b"{}", headers={}, timeout=5)

    assert response.status == 204
    assert fake.lookups == {"tls.partner.example": 1}
    assert connections.attempted == [("127.0.0.1", tls_receiver.url_port)]
    assert tls_receiver.server_names == ["tls.partner.example"]
    assert tls_receiver.hosts == [f"tls.partner.example:{tls_receiver.url_port}"]


@pytest.mark.parametrize("tls_receiver", ["someone-else.example"], indirect=True)
def test_a_certificate_for_another_name_is_refused_although_the_address_was_checked(
    settings: Any,
    dns: Any,
    connections: Connections,
    tls_receiver: TLSReceiver,
    trust_test_ca: None,
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_EGRESS = egress.DIRECT
    dns({"tls.partner.example": [["127.0.0.1"]]})
    url = f"https://tls.partner.example:{tls_receiver.url_port}/hook"

    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url=url, body=b"{}", headers={}, timeout=5)

    assert "CERTIFICATE_VERIFY_FAILED" in str(error.value)
    assert "tls.partner.example" in str(error.value)
    assert tls_receiver.hosts == []


@pytest.fixture
def proxy() -> Iterator[tuple[str, list[str]]]:
    """A forward proxy on 127.0.0.1 that answers every request itself and records its line."""
    lines: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            lines.append(self.requestline)
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", lines
    finally:
        server.shutdown()
        server.server_close()


def test_the_proxy_mode_sends_through_the_proxy_and_leaves_the_name_to_it(
    settings: Any, dns: Any, proxy: tuple[str, list[str]]
) -> None:
    proxy_url, lines = proxy
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    settings.WEBHOOK_EGRESS = egress.PROXY
    settings.WEBHOOK_PROXY_URL = proxy_url
    fake = dns({"proxied.partner.example": [["127.0.0.1"]]})

    response = webhooks.post(
        url="http://proxied.partner.example/hook", body=b"{}", headers={}, timeout=5
    )

    assert response.status == 202
    assert lines == ["POST http://proxied.partner.example/hook HTTP/1.1"]
    assert fake.lookups == {}  # the proxy resolves; this server does not
    # A literal private address is still refused here, before the proxy is asked.
    with pytest.raises(webhooks.WebhookError) as error:
        webhooks.post(url="http://10.0.0.8/hook", body=b"{}", headers={}, timeout=5)
    assert error.value.permanent
    assert len(lines) == 1


def test_the_mode_follows_the_proxy_setting_unless_named(settings: Any) -> None:
    settings.WEBHOOK_EGRESS = ""
    settings.WEBHOOK_PROXY_URL = ""
    assert egress.mode() == egress.DIRECT
    settings.WEBHOOK_PROXY_URL = "http://proxy.internal:3128"
    assert egress.mode() == egress.PROXY
    settings.WEBHOOK_EGRESS = egress.DIRECT
    assert egress.mode() == egress.DIRECT
