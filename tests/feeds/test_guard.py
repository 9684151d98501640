"""The SSRF guard: check_url, is_public_ip, PublicOnlyResolver, validate_feed_url."""

from __future__ import annotations

import socket

import pytest
from aiohttp.abc import AbstractResolver, ResolveResult

from bot.errors import UnsafeURL
from bot.feeds.guard import PublicOnlyResolver, UnsafeAddressError, check_url, is_public_ip, validate_feed_url


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
        "::7f00:1",  # deprecated IPv4-compatible form
        "not an ip",
    ],
)
def test_non_public_addresses_are_refused(ip):
    """Loopback, private, link-local, CGNAT, multicast and embedded private v4 are not public."""
    assert not is_public_ip(ip)


@pytest.mark.parametrize(
    "ip", ["8.8.8.8", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_are_allowed(ip):
    """Global unicast addresses (and NAT64/mapped forms of them) are public."""
    assert is_public_ip(ip)


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("http://127.0.0.1/feed", "127.0.0.1 is a loopback address"),
        ("http://[::1]:8080/feed", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "IPv6 form of 127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://10.0.0.1/", "10.0.0.1 is a private network address"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://2130706433/", "normal dotted address"),
        ("http://127.1/", "normal dotted address"),
        ("http://0x7f.0.0.1/", "normal dotted address"),
        ("file:///etc/passwd", "file: scheme is not allowed"),
        ("ftp://ftp.example.com/feed", "ftp: scheme is not allowed"),
        ("gopher://example.com/", "gopher: scheme is not allowed"),
        ("example.com/feed.xml", "start the URL with https://"),
        ("http:///feed", "no host"),
        ("https://user:pw@example.com/feed", "user name or password"),
        ("https://user@example.com/feed", "user name or password"),
    ],
)
def test_check_url_refuses_with_a_useful_message(url, fragment):
    """Each refusal says what is wrong, and every one names the rule."""
    with pytest.raises(UnsafeURL) as info:
        check_url(url, allow_private=False)
    assert fragment in str(info.value)
    assert "http" in str(info.value)


def test_check_url_message_reads_well():
    """The loopback message is a full sentence a server admin understands."""
    with pytest.raises(UnsafeURL, match=r"^Feed URLs must be public http\(s\) addresses; 127\.0\.0\.1 is a loopback"):
        check_url("http://127.0.0.1/rss", allow_private=False)


def test_check_url_allows_public_and_names():
    """Public IP literals and host names pass (names are checked later by the resolver)."""
    assert str(check_url("  https://Example.COM/rss?x=1 ", allow_private=False)) == "https://example.com/rss?x=1"
    assert check_url("http://93.184.216.34/rss", allow_private=False).host == "93.184.216.34"
    assert check_url("http://localhost:8000/rss", allow_private=False).host == "localhost"


def test_allow_private_permits_private_literals_but_not_bad_schemes():
    """allow_private lifts only the address rule."""
    assert check_url("http://127.0.0.1:9/rss", allow_private=True).port == 9
    with pytest.raises(UnsafeURL):
        check_url("file:///etc/passwd", allow_private=True)
    with pytest.raises(UnsafeURL):
        check_url("http://u:p@127.0.0.1/", allow_private=True)


class FixedResolver(AbstractResolver):
    """A DNS stand-in that answers every name with fixed addresses."""

    def __init__(self, *addresses: str) -> None:
        self.addresses = addresses
        self.closed = False

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET):
        return [
            ResolveResult(
                hostname=host,
                host=a,
                port=port,
                family=socket.AF_INET6 if ":" in a else socket.AF_INET,
                proto=0,
                flags=0,
            )
            for a in self.addresses
        ]

    async def close(self) -> None:
        self.closed = True


async def test_resolver_keeps_only_public_addresses():
    """A name resolving to a mix keeps only the public addresses."""
    resolver = PublicOnlyResolver(FixedResolver("10.0.0.5", "93.184.216.34", "::1", "2606:4700::1"))
    infos = await resolver.resolve("mixed.example", 443)
    assert [i["host"] for i in infos] == ["93.184.216.34", "2606:4700::1"]


async def test_resolver_refuses_a_name_with_only_private_addresses():
    """A rebinding-style name resolving only to private addresses raises an OSError aiohttp understands."""
    resolver = PublicOnlyResolver(FixedResolver("127.0.0.1", "169.254.169.254"))
    with pytest.raises(UnsafeAddressError, match=r"rebind\.example resolves only to non-public") as info:
        await resolver.resolve("rebind.example", 80)
    assert isinstance(info.value, OSError)
    assert isinstance(info.value, UnsafeURL)


async def test_resolver_uses_real_lookup_for_localhost():
    """With the default inner resolver, localhost is refused."""
    resolver = PublicOnlyResolver()
    with pytest.raises(UnsafeAddressError, match="localhost"):
        await resolver.resolve("localhost", 80)
    await resolver.close()


async def test_resolver_close_closes_the_inner_resolver():
    """Closing the guard closes what it wraps."""
    inner = FixedResolver("8.8.8.8")
    await PublicOnlyResolver(inner).close()
    assert inner.closed


async def test_validate_feed_url_normalises_a_public_literal():
    """Whitespace is stripped and the URL comes back normalised (no DNS needed for a literal)."""
    assert await validate_feed_url("  HTTP://93.184.216.34/Feed.xml  ", allow_private=False) == (
        "http://93.184.216.34/Feed.xml"
    )


async def test_validate_feed_url_refuses_localhost():
    """A name that resolves only to loopback is refused when adding a feed."""
    with pytest.raises(UnsafeURL, match="localhost resolves only to non-public addresses"):
        await validate_feed_url("http://localhost/rss", allow_private=False)


async def test_validate_feed_url_refuses_private_literal():
    """A private literal is refused before any lookup."""
    with pytest.raises(UnsafeURL, match=r"10\.1\.2\.3 is a private network address"):
        await validate_feed_url("http://10.1.2.3/rss", allow_private=False)


async def test_validate_feed_url_reports_unresolvable_hosts():
    """A host that does not resolve (.invalid never does) gives a clear message."""
    with pytest.raises(UnsafeURL, match=r"Could not resolve host no-such-host\.invalid"):
        await validate_feed_url("https://no-such-host.invalid/rss", allow_private=False)


async def test_validate_feed_url_allow_private_accepts_localhost():
    """The operator's allow_private switch lets local feeds be added."""
    assert await validate_feed_url("http://localhost:8080/rss", allow_private=True) == "http://localhost:8080/rss"
