"""A feed item of 4.9 MB (under the 5 MiB body cap) never blocks the bot: commands are answered during its poll."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.language import MAX_ANALYSED_CHARS
from tests.e2e.helpers import START, start_mercato
from tests.fakediscord import FakeDiscord

# Mentions, a citation, a clause break and an abbreviation in every sentence: every reading stage has work.
SENTENCE = (
    "AC Milan want Radu Drăgușin and Roma are keen on the Tottenham centre-back, according to Calciomercato; "
    "St. Pauli are also watching him (Sky Sport Italia). "
)


def _big_feed() -> str:
    body = SENTENCE * (4_900_000 // len(SENTENCE))
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Big</title>"
        f"<item><title>Milan want Drăgușin</title><guid>big</guid><link>https://big.example/1</link>"
        f"<pubDate>{START:%a, %d %b %Y %H:%M:%S} GMT</pubDate><description>{body}</description></item>"
        "</channel></rss>"
    )


@pytest.mark.parametrize("read_workers", [0, 2], ids=["reading-thread", "reading-processes"])
async def test_a_slash_command_is_answered_promptly_while_a_huge_item_is_polled(
    fake_discord: FakeDiscord, tmp_path, read_workers: int
) -> None:
    """Both ways of reading (MERCATO_READ_WORKERS=0, or worker processes: the default on several CPUs)."""
    async with start_mercato(fake_discord, tmp_path, read_workers=read_workers) as m:
        m.feeds.add("/big", _big_feed())
        await m.storage.feeds.add(m.feeds.url("/big"), now=m.clock(), guild_id=0)
        stalls: list[float] = []

        async def ticker() -> None:  # how long the event loop ever goes without running a 10 ms timer
            last = time.perf_counter()
            while True:
                await asyncio.sleep(0.01)
                now = time.perf_counter()
                stalls.append(now - last)
                last = now

        ticking = asyncio.create_task(ticker())
        started = time.perf_counter()
        m.clock.advance(seconds=m.settings.poll_interval)
        poll = asyncio.create_task(m.tick())
        # Once the 4.9 MB body is downloaded, parsing and reading it is the poll's heavy part: ask then.
        async with asyncio.timeout(20):
            while not m.feeds.requests_for("/big"):
                await asyncio.sleep(0.005)
        asked = time.perf_counter()
        reply = await m.command("deadline")
        answered = time.perf_counter() - asked
        poll_running_at_reply = not poll.done()
        report = await asyncio.wait_for(poll, timeout=60)
        polled = time.perf_counter() - started
        ticking.cancel()
        stored = await m.storage.items.get(1)
        [feed] = [f for f in await m.storage.feeds.all() if f.url.endswith("/big")]

    assert reply.content or reply.followups  # the command was answered …
    assert answered < 1.0, answered  # … promptly (a blocked loop would hold it for the whole read)
    assert poll_running_at_reply or polled < 2.0  # during the poll, unless the poll itself took under 2 s
    assert report.feeds_polled == 1 and feed.failures == 0 and feed.last_error is None, (report, feed)
    assert polled < 20, polled  # was > 300 s before reading was bounded
    assert max(stalls) < 1.0, max(stalls)  # the loop kept turning the whole time (a generous bound: 2 shared cores)
    assert stored is not None and stored.title == "Milan want Drăgușin"
    assert len(stored.summary) <= MAX_ANALYSED_CHARS
