"""Where a webhook request connects: the address that was checked, or the configured proxy.

Checking a host's addresses and then letting the HTTP client look the name up again lets a
partner's DNS answer a public address to the check and 127.0.0.1 to the connection (DNS
rebinding). In the "direct" mode the name is looked up once, every address of the answer must
be public, and the connection goes to one of those addresses, while the Host header, the TLS
server name (SNI) and the certificate check stay those of the URL's host name. In the "proxy"
mode every request goes through WEBHOOK_PROXY_URL and the proxy, which does its own look-up,
is what keeps requests off the server's own network (production names the mode explicitly).
"""

import functools
import http.client
import ipaddress
import socket
import ssl
import urllib.request
from typing import Any

from django.conf import settings

from protection.notifications.cutoff import CutOff

DIRECT = "direct"
PROXY = "proxy"
MODES = (DIRECT, PROXY)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class DestinationRefused(Exception):
    """The host may not be called: it does not resolve, or not only to public addresses."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def mode() -> str:
    """Return how webhooks leave the server: "direct" (pinned) or "proxy"."""
    chosen = str(getattr(settings, "WEBHOOK_EGRESS", "") or "")
    if chosen in MODES:
        return chosen
    return PROXY if getattr(settings, "WEBHOOK_PROXY_URL", "") else DIRECT


def is_public(address: IPAddress) -> bool:
    """Return whether a request to this address leaves for the public Internet.

    Loopback, private, shared (CGNAT), link-local, multicast, reserved and unspecified
    addresses are not, and neither is an IPv6 address that carries one of those IPv4 ones
    (IPv4-mapped, 6to4, Teredo).
    """
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None and not is_public(embedded):
            return False
        if address.teredo is not None and not all(is_public(part) for part in address.teredo):
            return False
    return bool(
        address.is_global
        and not address.is_multicast
        and not address.is_private
        and not address.is_loopback
        and not address.is_link_local
        and not address.is_reserved
        and not address.is_unspecified
    )


def _literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def checked_addresses(host: str, port: int) -> list[str]:
    """Look the host up once; return its addresses, all public (unless the setting allows).

    Raise DestinationRefused when the name does not resolve (worth retrying) or when any
    address is not public (permanent: a partner's URL must not reach the server's network).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise DestinationRefused(f"Cannot resolve {host}: {error}", permanent=False) from error
    addresses: list[str] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        if text not in addresses:
            addresses.append(text)
    if not addresses:
        raise DestinationRefused(f"{host} has no address.", permanent=False)
    if not getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False):
        for text in addresses:
            if not is_public(ipaddress.ip_address(text)):
                raise DestinationRefused(
                    f"{host} resolves to a non-public address ({text}); not sent.",
                    permanent=True,
                )
    return addresses


def check_literal(host: str) -> None:
    """Refuse a URL whose host is a non-public IP address (the proxy mode's own check)."""
    address = _literal(host)
    if address is None or getattr(settings, "WEBHOOK_ALLOW_PRIVATE_ADDRESSES", False):
        return
    if not is_public(address):
        raise DestinationRefused(f"{host} is a non-public address; not sent.", permanent=True)


def _connect_to_checked(
    addresses: list[str],
    address: tuple[str, int],
    timeout: float | None = None,
    source_address: tuple[str, int] | None = None,
) -> socket.socket:
    """Connect to the first checked address that answers; the host name is never looked up."""
    port = address[1]
    last: OSError | None = None
    for checked in addresses:
        try:
            return socket.create_connection((checked, port), timeout, source_address)
        except OSError as error:
            last = error
    raise last or OSError("No address to connect to.")


class _WatchedHTTPConnection(http.client.HTTPConnection):
    """A connection whose socket the request's cut-off shuts down when time is up; pinned to
    the checked addresses when it has them."""

    def __init__(
        self, *args: Any, cutoff: CutOff, addresses: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._cutoff = cutoff
        if addresses is not None:
            self._create_connection = functools.partial(_connect_to_checked, addresses)

    def connect(self) -> None:
        super().connect()
        self._cutoff.watch(self.sock)


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the socket goes to the checked address, while the server name sent
    (SNI) and the name the certificate must carry are the URL's host (self.host)."""

    def __init__(
        self, *args: Any, cutoff: CutOff, addresses: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._cutoff = cutoff
        if addresses is not None:
            self._create_connection = functools.partial(_connect_to_checked, addresses)

    def connect(self) -> None:
        super().connect()
        self._cutoff.watch(self.sock)


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Return the one TLS context (loading the CA certificates takes milliseconds each time)."""
    context = ssl.create_default_context()
    # Said explicitly, since connecting by address must not loosen them: the certificate
    # is checked against the URL's host name.
    context.check_hostname = True
    context.verify_mode = ssl.CERT_REQUIRED
    return context


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as a failure: following it would skip the destination check."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, cutoff: CutOff, addresses: list[str] | None) -> None:
        super().__init__()
        self._connection = functools.partial(
            _WatchedHTTPConnection, cutoff=cutoff, addresses=addresses
        )

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, cutoff: CutOff, addresses: list[str] | None) -> None:
        super().__init__(context=_tls_context())
        self._connection = functools.partial(
            _WatchedHTTPSConnection, cutoff=cutoff, addresses=addresses
        )

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req, context=_tls_context())


def destination(*, host: str, port: int) -> list[str] | None:
    """Check where a request to host:port may go; raise DestinationRefused when nowhere.

    Direct: look the host up now and return the checked addresses, the only ones the request
    will connect to. Proxy: return None; the proxy resolves the name and filters.
    """
    if mode() == PROXY:
        if not getattr(settings, "WEBHOOK_PROXY_URL", ""):
            raise DestinationRefused(
                "WEBHOOK_EGRESS is proxy but WEBHOOK_PROXY_URL is empty.", permanent=False
            )
        check_literal(host)
        return None
    return checked_addresses(host, port)


def opener(addresses: list[str] | None, cutoff: CutOff) -> urllib.request.OpenerDirector:
    """Return the opener for one request: pinned to `addresses`, or through the proxy (None)."""
    if addresses is None:
        proxy = str(getattr(settings, "WEBHOOK_PROXY_URL", ""))
        proxies = {"http": proxy, "https": proxy}
    else:
        # No proxy at all, not even one from the environment: it would resolve the name again.
        proxies = {}
    return urllib.request.build_opener(
        urllib.request.ProxyHandler(proxies),
        _NoRedirect(),
        _HTTPHandler(cutoff, addresses),
        _HTTPSHandler(cutoff, addresses),
    )
