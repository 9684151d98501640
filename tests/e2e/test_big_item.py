"""A feed item of 4.9 MB (under the 5 MiB body cap) never blocks the bot: commands are answered during its poll."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.language import MAX_ANALYSED_CHARS
from tests.bigitem import big_feed, loop_stalls
from tests.e2e.helpers import START, start_mercato
from tests.fakediscord import FakeDiscord

# Mentions, a citation, a clause break and an abbreviation in every sentence: every reading stage has work.
SENTENCE = (
    "AC Milan want Radu Drăgușin and Roma are keen on the Tottenham centre-back, according to Calciomercato; "
    "St. Pauli are also watching him (Sky Sport Italia). "
)


@pytest.mark.parametrize("read_workers", [0, 2], ids=["reading-thread", "reading-processes"])
async def test_a_slash_command_is_answered_promptly_while_a_huge_item_is_polled(
    fake_discord: FakeDiscord, tmp_path, read_workers: int
) -> None:
    """Both ways of reading (MERCATO_READ_WORKERS=0, or worker processes: the default on several CPUs)."""
    async with start_mercato(fake_discord, tmp_path, read_workers=read_workers) as m:
        m.feeds.add("/big", big_feed(SENTENCE, START))
        await m.storage.feeds.add(m.feeds.url("/big"), now=m.clock(), guild_id=0)
        async with loop_stalls() as stalls:
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
