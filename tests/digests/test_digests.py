"""Digests on real SQLite with a frozen clock: due at the local time (daylight saving included), enqueued once,
with the right stories, delivered through the outbox by the dispatcher."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.catalogue import Catalogue
from bot.delivery import ChannelUnavailable, Dispatcher, SentMessage
from bot.digests import Digests
from bot.models import (
    SERVER,
    AlertKey,
    DigestSubscription,
    DigestView,
    FeedItem,
    ItemRumours,
    NewItem,
    OutboxRow,
    ReportedRumour,
    Stage,
    TargetKind,
)
from bot.storage import Storage
from bot.storage.stories import candidate_stories, write_decision
from bot.stories import decide

GUILD, CHANNEL, FAN, OTHER_FAN = 10, 77, 1001, 1002
DRAGUSIN, AKE, MILAN, ROMA = "player:radu-dragusin", "player:nathan-ake", "club:ac-milan", "club:as-roma"


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Reporter:
    """Stores items and their stories as an ingest would (the story decider, in one transaction)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.n = 0
        self.feed_id = 0

    async def __call__(self, player: str, club: str, stage: Stage, published: datetime, outlet: str = "Sky") -> int:
        if not self.feed_id:
            self.feed_id = (await self.storage.feeds.add("https://news.example/rss", now=published)).id
        self.n += 1
        item = FeedItem(f"g{self.n}", f"{player} to {club}: {stage.value}", "", f"https://news.example/{self.n}",
                        published)
        [stored] = await self.storage.items.insert(self.feed_id, [NewItem(item, f"k{self.n}", True)],
                                                   fetched_at=published)
        rumour = ReportedRumour(player, club, None, stage, None, None, False, False, outlet, 1, True)
        async with self.storage.db.transaction() as conn:
            candidates, next_id = await candidate_stories(conn, [(player, club)], published - timedelta(days=10))
            await write_decision(conn, decide([ItemRumours(stored.id, published, (rumour,))], candidates, next_id))
        return stored.id


@pytest.fixture
async def world(storage: Storage, catalogue: Catalogue) -> tuple[Storage, Digests, Clock, Reporter]:
    await storage.catalogue.sync(catalogue)
    clock = Clock(utc(2026, 3, 27, 12, 0))
    for user, query in ((FAN, MILAN), (OTHER_FAN, ROMA)):
        await storage.follows.add(guild_id=GUILD, user_id=user, now=clock(), limit=50, entity_id=query)
    return storage, Digests(storage, catalogue, now=clock), clock, Reporter(storage)


async def digest_keys(storage: Storage) -> list[tuple[str, str, int]]:
    rows = await storage.db.fetchall("SELECT alert_key, target_kind, target_id FROM outbox ORDER BY id")
    return [(r[0], r[1], r[2]) for r in rows if r[0].startswith("digest:")]


async def test_a_server_digest_comes_at_its_local_time_once_a_day_across_the_clock_change(world) -> None:
    """08:00 in London is 08:00 UTC on 28 March and 07:00 UTC on 29 March (BST); each day's digest comes once."""
    storage, digests, clock, report = world
    await digests.set_timezone(guild_id=GUILD, zone="europe/london")
    setting = await digests.set(guild_id=GUILD, user_id=SERVER, mode="daily", at="08:00", channel_id=CHANNEL)
    assert setting.next_at == utc(2026, 3, 28, 8, 0) and setting.zone == "Europe/London"
    await report(DRAGUSIN, MILAN, Stage.TALKS, utc(2026, 3, 28, 6, 0))
    await report(AKE, MILAN, Stage.INTEREST, utc(2026, 3, 29, 5, 0))
    sent = []
    for at in (utc(2026, 3, 28, 7, 59), utc(2026, 3, 28, 8, 0), utc(2026, 3, 28, 8, 1), utc(2026, 3, 29, 6, 59),
               utc(2026, 3, 29, 7, 0), utc(2026, 3, 29, 7, 30), utc(2026, 3, 29, 8, 0)):
        clock.at = at
        sent.append(await digests.enqueue_due())
    assert sent == [0, 1, 0, 0, 1, 0, 0]
    assert await digest_keys(storage) == [(f"digest:{GUILD}:2026-03-28", "channel", GUILD),
                                          (f"digest:{GUILD}:2026-03-29", "channel", GUILD)]
    assert (await storage.digests.get(GUILD, SERVER)).next_at == utc(2026, 3, 30, 7, 0)


async def test_each_digest_shows_the_stories_of_its_day_for_its_follows(world) -> None:
    storage, digests, clock, report = world
    clock.at = utc(2026, 3, 28, 12, 0)
    await digests.set(guild_id=GUILD, user_id=SERVER, mode="daily", at="20:00", channel_id=CHANNEL)
    await digests.set(guild_id=GUILD, user_id=FAN, mode="daily", at="20:00")
    await report(DRAGUSIN, MILAN, Stage.TALKS, utc(2026, 3, 27, 19, 0))  # before the day: not in it
    await report(DRAGUSIN, MILAN, Stage.AGREEMENT, utc(2026, 3, 28, 15, 0), outlet="Romano")
    await report(AKE, MILAN, Stage.INTEREST, utc(2026, 3, 28, 16, 0))
    await report(DRAGUSIN, ROMA, Stage.BID, utc(2026, 3, 28, 17, 0))
    await report(AKE, MILAN, Stage.TALKS, utc(2026, 3, 28, 21, 0))  # after the digest's time: not in it
    clock.at = utc(2026, 3, 28, 20, 0)
    assert await digests.enqueue_due() == 2
    views = {}
    for kind, target in ((TargetKind.CHANNEL, GUILD), (TargetKind.DM, FAN)):
        row = await storage.outbox.find(AlertKey.for_digest(GUILD, clock.at.date()), kind, target)
        views[kind] = await digests.render(row)
    server, fan = views[TargetKind.CHANNEL], views[TargetKind.DM]
    assert [(e.player, e.to_club, e.stage, e.outlets) for e in server.entries] == [
        ("Radu Drăgușin", "AC Milan", "agreement", 2), ("Radu Drăgușin", "AS Roma", "bid", 1),
        ("Nathan Aké", "AC Milan", "interest", 1)]
    assert [(e.player, e.to_club) for e in fan.entries] == [("Radu Drăgușin", "AC Milan"), ("Nathan Aké", "AC Milan")]
    assert server.server and not fan.server and server.until == utc(2026, 3, 28, 20, 0) and server.zone == "UTC"


async def test_a_rerun_a_race_or_a_restart_never_enqueues_a_day_twice(world) -> None:
    storage, digests, clock, report = world
    clock.at = utc(2026, 3, 28, 12, 0)
    await digests.set(guild_id=GUILD, user_id=FAN, mode="daily", at="18:00")
    await report(DRAGUSIN, MILAN, Stage.TALKS, utc(2026, 3, 28, 13, 0))
    clock.at = utc(2026, 3, 28, 18, 0)
    assert sorted(await asyncio.gather(digests.enqueue_due(), digests.enqueue_due())) == [0, 1]  # two jobs at once
    # Set again for the same day (a later time today): the day's digest is already in the outbox.
    clock.at = utc(2026, 3, 28, 18, 30)
    await digests.set(guild_id=GUILD, user_id=FAN, mode="daily", at="19:00")
    clock.at = utc(2026, 3, 28, 19, 0)
    assert await digests.enqueue_due() == 0
    assert await digest_keys(storage) == [(f"digest:{GUILD}:2026-03-28", "dm", FAN)]


async def test_a_digest_the_bot_slept_through_or_a_quiet_day_is_not_sent(world) -> None:
    storage, digests, clock, report = world
    clock.at = utc(2026, 3, 28, 6, 0)
    await digests.set(guild_id=GUILD, user_id=FAN, mode="daily", at="08:00")
    await report(DRAGUSIN, MILAN, Stage.TALKS, utc(2026, 3, 28, 7, 0))
    clock.at = utc(2026, 3, 28, 14, 1)  # six hours and a minute late: stale
    assert await digests.enqueue_due() == 0
    assert (await storage.digests.get(GUILD, FAN)).next_at == utc(2026, 3, 29, 8, 0)
    clock.at = utc(2026, 3, 30, 8, 0)  # nothing about Milan since the 28th: a quiet day (and the 29th was missed)
    assert await digests.enqueue_due() == 0
    assert await digest_keys(storage) == []


async def test_a_new_time_zone_keeps_local_times_and_off_stops_it(world) -> None:
    storage, digests, _, _ = world
    await digests.set(guild_id=GUILD, user_id=SERVER, mode="daily", at="09:00", channel_id=CHANNEL)
    assert (await storage.digests.get(GUILD, SERVER)).next_at == utc(2026, 3, 28, 9, 0)  # UTC by default
    name, moved = await digests.set_timezone(guild_id=GUILD, zone="Asia/Tokyo")
    assert name == "Asia/Tokyo" and [d.next_at for d in moved] == [utc(2026, 3, 28, 0, 0)]  # 09:00 JST
    off = await digests.set(guild_id=GUILD, user_id=SERVER, mode="off")
    assert not off.on and off.was_on and await storage.digests.get(GUILD, SERVER) is None
    assert not (await digests.set(guild_id=GUILD, user_id=SERVER, mode="off")).was_on


class DigestSender:
    """Records digests; a channel may refuse them (403)."""

    def __init__(self, refused: set[int] | None = None) -> None:
        self.sent: list[tuple[TargetKind, int, DigestView, str]] = []
        self.notices: list[tuple[int, str]] = []
        self.refused = refused or set()

    async def send_digest(self, kind: TargetKind, target_id: int, view: DigestView, *, guild_id: int,
                          nonce: str) -> SentMessage:
        if target_id in self.refused:
            raise ChannelUnavailable("I am missing permissions there")
        self.sent.append((kind, target_id, view, nonce))
        return SentMessage(len(self.sent), target_id)

    async def notify_guild(self, guild_id: int, text: str) -> bool:
        self.notices.append((guild_id, text))
        return True


async def no_alert(row: OutboxRow) -> None:
    raise AssertionError("only digests here")


async def test_the_dispatcher_delivers_each_digest_once_and_a_refused_channel_stops_it(world) -> None:
    storage, digests, clock, report = world
    clock.at = utc(2026, 3, 28, 12, 0)
    await digests.set(guild_id=GUILD, user_id=SERVER, mode="daily", at="18:00", channel_id=CHANNEL)
    await digests.set(guild_id=GUILD, user_id=FAN, mode="daily", at="18:00")
    await report(DRAGUSIN, MILAN, Stage.TALKS, utc(2026, 3, 28, 13, 0))
    dispatcher = Dispatcher(storage, no_alert, now=clock, digests=digests)
    sender = DigestSender()
    clock.at = utc(2026, 3, 28, 18, 0)
    await digests.enqueue_due()
    first = await dispatcher.drain(sender)
    again = await dispatcher.drain(sender)
    assert (first.sent, again.sent) == (2, 0)
    assert sorted((kind.value, target) for kind, target, _, _ in sender.sent) == [("channel", CHANNEL), ("dm", FAN)]
    # The next day the server's channel refuses: its digest stops (the member's does not) and the server is told once.
    await report(DRAGUSIN, MILAN, Stage.AGREEMENT, utc(2026, 3, 29, 13, 0))
    refusing = DigestSender(refused={CHANNEL})
    clock.at = utc(2026, 3, 29, 18, 0)
    await digests.enqueue_due()
    result = await dispatcher.drain(refusing)
    assert (result.sent, result.dropped) == (1, 1) and refusing.sent[0][:2] == (TargetKind.DM, FAN)
    assert (await storage.digests.get(GUILD, SERVER)).failure == "I am missing permissions there"
    assert len(refusing.notices) == 1 and "daily digest" in refusing.notices[0][1]
    clock.at = utc(2026, 3, 30, 18, 0)
    await report(DRAGUSIN, MILAN, Stage.MEDICAL, utc(2026, 3, 30, 13, 0))
    assert await digests.enqueue_due() == 1  # the member's only: a failed digest is not due until set again
    assert isinstance(await storage.digests.get(GUILD, SERVER), DigestSubscription)


async def test_a_crowd_due_at_once_is_enqueued_by_one_run(world, monkeypatch: pytest.MonkeyPatch) -> None:
    """Due digests are taken in batches until none is left (here batches of 2 for 5 members)."""
    storage, digests, clock, report = world
    monkeypatch.setattr("bot.digests.service.BATCH", 2)
    clock.at = utc(2026, 3, 28, 12, 0)
    for user in range(2001, 2006):
        await storage.follows.add(guild_id=GUILD, user_id=user, now=clock(), limit=50, entity_id=MILAN)
        await digests.set(guild_id=GUILD, user_id=user, mode="daily", at="18:00")
    await report(DRAGUSIN, MILAN, Stage.TALKS, utc(2026, 3, 28, 13, 0))
    clock.at = utc(2026, 3, 28, 18, 0)
    assert await digests.enqueue_due() == 5
    assert [target for _, _, target in await digest_keys(storage)] == [2001, 2002, 2003, 2004, 2005]
