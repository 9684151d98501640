"""SSRF guard: feed URLs are user input, so Mercato only ever connects to public addresses.

Two layers, because neither is enough alone (see notes/libraries.md §6):

- :func:`check_url` runs on the URL the user gave *and on every redirect hop*. It refuses non-http(s)
  schemes, credentials and IP-literal hosts that are not public. aiohttp does not call the resolver
  for IP literals, so this is the only place they are checked.
- :class:`PublicOnlyResolver` filters what DNS returns, so a name that resolves to 127.0.0.1
  (``localhost``, ``0x7f.1``, a rebinding domain) is refused. aiohttp connects only to the addresses
  the resolver returns, so there is no second lookup an attacker could rebind.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Final

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.errors import UnsafeURL

__all__ = [
    "PublicOnlyResolver",
    "UnsafeAddressError",
    "check_url",
    "describe_ip",
    "is_public_ip",
    "validate_feed_url",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_WHAT_TO_DO: Final = "Feed URLs must be public http(s) addresses"
MAX_URL_LENGTH: Final = 2048  # what browsers and servers reliably accept; longer is a paste error or an attack
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
_SIXTO4: Final = ipaddress.IPv6Network("2002::/16")
_CGNAT: Final = ipaddress.IPv4Network("100.64.0.0/10")


class UnsafeAddressError(UnsafeURL, OSError):
    """A host resolved only to non-public addresses.

    It is an ``OSError`` because aiohttp's connector only wraps ``OSError`` from a resolver (into
    ``ClientConnectorDNSError``); the fetcher unwraps it and re-raises an :class:`UnsafeURL`.
    """


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 address carries (mapped, NAT64 or 6to4), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _SIXTO4:
        return ip.sixtofour
    return None


def is_public_ip(ip: str | IPAddress) -> bool:
    """Return True if ``ip`` is a globally routable unicast address Mercato may connect to.

    IPv4-mapped, NAT64 (``64:ff9b::/96``) and 6to4 (``2002::/16``) addresses are judged by the IPv4
    address they embed, since a gateway would forward to it.
    """
    if isinstance(ip, str):
        try:
            ip = ipaddress.ip_address(ip.split("%", 1)[0])  # drop an IPv6 zone id ("fe80::1%eth0")
        except ValueError:
            return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_public_ip(inner)
    # is_global excludes private, loopback, link-local, CGNAT, ULA, documentation…; multicast and
    # reserved (e.g. the deprecated IPv4-compatible ::a.b.c.d) are not unicast hosts we want either.
    return ip.is_global and not ip.is_multicast and not ip.is_reserved


def describe_ip(ip: IPAddress) -> str:
    """Say in a few words why ``ip`` is not public ("a loopback address")."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return f"an IPv6 form of {inner}, which is {describe_ip(inner)}"
    if ip.is_loopback:
        return "a loopback address (this machine)"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata services live there)"
    if ip.is_multicast:
        return "a multicast address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return "a carrier-grade NAT address"
    if ip.is_private:
        return "a private network address"
    return "a reserved, non-public address"


def _refuse_ip(ip: IPAddress) -> UnsafeURL:
    return UnsafeURL(f"{_WHAT_TO_DO}; {ip} is {describe_ip(ip)}.")


def _literal_ip(host: str) -> IPAddress | None:
    """Return ``host`` as an IP address if it is an IP literal, else None (a name)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _is_legacy_numeric_ipv4(host: str) -> bool:
    """Return True for hosts like ``2130706433``, ``127.1`` or ``0x7f.0.0.1``.

    ``inet_aton`` accepts these and would turn them into an address, but they are not dotted-quad
    literals; nobody writes a real feed URL this way, so refuse them instead of guessing.
    """
    if not host or not all(c in "0123456789abcdefxABCDEFX." for c in host) or not host[0].isdigit():
        return False
    try:
        socket.inet_aton(host)
    except OSError:
        return False
    return True


def check_url(url: str | URL, *, allow_private: bool) -> URL:
    """Check a feed URL (or a redirect target) before connecting; return it parsed.

    Raises:
        UnsafeURL: the scheme is not http(s), the host is missing, the URL carries credentials, or
            (unless ``allow_private``) the host is an IP literal that is not public. The message says
            what is wrong and what to do.
    """
    if isinstance(url, str):
        if len(url.strip()) > MAX_URL_LENGTH:
            raise UnsafeURL(f"That URL is {len(url.strip()):,} characters long; a feed address has at most "
                            f"{MAX_URL_LENGTH:,}. Check what was pasted.")
        try:
            url = URL(url.strip())
        except (ValueError, TypeError) as exc:
            raise UnsafeURL(f"That is not a valid URL ({exc}); give the full feed address.") from exc
    if len(str(url)) > MAX_URL_LENGTH:
        raise UnsafeURL(f"{_WHAT_TO_DO} of at most {MAX_URL_LENGTH:,} characters.")
    try:
        url.host  # noqa: B018 - decoding an xn-- (IDNA) name raises here, or later in a message that shows it
    except UnicodeError:
        raise UnsafeURL("The host name is not a valid international (xn--) domain name; check the address.") from None
    if url.scheme not in ("http", "https"):
        if not url.scheme:
            raise UnsafeURL(f"{_WHAT_TO_DO}; start the URL with https:// or http://.")
        raise UnsafeURL(f"{_WHAT_TO_DO}; the {url.scheme}: scheme is not allowed.")
    host = url.raw_host
    if not host:
        raise UnsafeURL(f"{_WHAT_TO_DO}; the URL has no host name.")
    if url.raw_user is not None or url.raw_password is not None:
        raise UnsafeURL(f"{_WHAT_TO_DO} without a user name or password in them; remove the part before '@'.")
    ip = _literal_ip(host)
    if ip is None and _is_legacy_numeric_ipv4(host):
        raise UnsafeURL(f"{_WHAT_TO_DO}; write the host {host} as a name or a normal dotted address.")
    if ip is not None and not allow_private and not is_public_ip(ip):
        raise _refuse_ip(ip)
    return url


class PublicOnlyResolver(AbstractResolver):
    """An aiohttp resolver that returns only the public addresses a name resolves to.

    Raises :class:`UnsafeAddressError` when none is public. ``inner`` is the resolver that does the
    lookup (aiohttp's ``ThreadedResolver`` by default; tests pass a fixed one).
    """

    def __init__(self, inner: AbstractResolver | None = None) -> None:
        self._inner: AbstractResolver = inner if inner is not None else aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """Resolve ``host`` and drop every non-public address."""
        infos = await self._inner.resolve(host, port, family)
        public = [info for info in infos if is_public_ip(info["host"])]
        if not public:
            refused = sorted({info["host"] for info in infos})
            shown = ", ".join(refused[:3]) if refused else "nothing"
            raise UnsafeAddressError(
                f"{_WHAT_TO_DO}; {host.rstrip('.')} resolves only to non-public addresses ({shown})."
            )
        return public

    async def close(self) -> None:
        """Close the inner resolver."""
        await self._inner.close()


async def validate_feed_url(url: str, *, allow_private: bool) -> str:
    """Check a URL a user wants to add as a feed; return it normalised.

    Strips whitespace, runs :func:`check_url`, then resolves the host and refuses it when every address
    it resolves to is non-public (the fetcher checks again on every poll, since DNS can change).

    Raises:
        UnsafeURL: the URL is unusable or not public, or its host could not be resolved.
    """
    parsed = check_url(url.strip(), allow_private=allow_private)
    host = parsed.raw_host or ""
    if _literal_ip(host) is None:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, parsed.port or 0, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise UnsafeURL(
                f"Could not resolve host {parsed.host}; check the address is spelled right and try again."
            ) from exc
        addresses = sorted({str(info[4][0]) for info in infos})
        if not allow_private and not any(is_public_ip(a) for a in addresses):
            shown = ", ".join(addresses[:3])
            raise UnsafeURL(f"{_WHAT_TO_DO}; {parsed.host} resolves only to non-public addresses ({shown}).")
    return str(parsed)
