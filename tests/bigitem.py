"""A feed item of 4.9 MB (under the 5 MiB body cap), and a watch on the event loop while it is polled."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import datetime


def big_feed(sentence: str, published: datetime) -> str:
    """An RSS feed with one item whose description repeats ``sentence`` up to 4.9 MB."""
    body = sentence * (4_900_000 // len(sentence))
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Big</title>"
        f"<item><title>Milan want Drăgușin</title><guid>big</guid><link>https://big.example/1</link>"
        f"<pubDate>{published:%a, %d %b %Y %H:%M:%S} GMT</pubDate><description>{body}</description></item>"
        "</channel></rss>"
    )


@contextlib.asynccontextmanager
async def loop_stalls() -> AsyncIterator[list[float]]:
    """While the block runs: how long the event loop went, each time, between runs of a 10 ms timer."""
    stalls: list[float] = []

    async def ticker() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            stalls.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    try:
        yield stalls
    finally:
        ticking.cancel()
