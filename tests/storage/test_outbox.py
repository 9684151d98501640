"""The outbox on real SQLite: no duplicates, sent rows become edits, dropping is scoped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.models import Action, AlertKey, Delivery, EnqueueResult, FeedItem, NewItem, Status, TargetKind
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)
CH, DM = TargetKind.CHANNEL, TargetKind.DM


async def items(storage: Storage, count: int) -> list[int]:
    feed = await storage.feeds.add("https://news.example/rss", now=NOW)
    new = [NewItem(FeedItem(f"u{n}", f"t{n}", "", f"https://news.example/{n}", NOW), f"k{n}", True)
           for n in range(count)]
    return [s.id for s in await storage.items.insert(feed.id, new, fetched_at=NOW)]


async def test_enqueue_twice_never_duplicates(storage: Storage) -> None:
    [a, b] = await items(storage, 2)
    rows = [Delivery(AlertKey.parse("item:1"), CH, 10, 10, a), Delivery(AlertKey.parse("item:1"), DM, 7, 10, a)]
    assert await storage.outbox.enqueue(rows, now=NOW) == EnqueueResult(added=2)
    again = await storage.outbox.enqueue([Delivery(AlertKey.parse("item:1"), CH, 10, 10, b)], now=NOW)
    assert again == EnqueueResult(added=0, edits=0)
    due = await storage.outbox.due(NOW)
    assert [(r.target_kind, r.item_id, r.action, r.status) for r in due] == [
        (CH, b, Action.SEND, Status.PENDING),  # still pending: just shows the newer item
        (DM, a, Action.SEND, Status.PENDING),
    ]


async def test_a_sent_row_enqueued_again_becomes_a_pending_edit(storage: Storage) -> None:
    [a, b] = await items(storage, 2)
    await storage.outbox.enqueue([Delivery(AlertKey.parse("story:1:talks"), CH, 10, 10, a)], now=NOW)
    [row] = await storage.outbox.due(NOW)
    assert await storage.outbox.mark_sent(row.id, message_id=555, channel_id=99, now=NOW)
    assert not await storage.outbox.mark_sent(row.id, message_id=556, channel_id=99, now=NOW)  # no longer pending
    assert await storage.outbox.due(NOW) == []

    later = NOW + timedelta(minutes=5)
    assert await storage.outbox.enqueue([Delivery(AlertKey.parse("story:1:talks"), CH, 10, 10, b)], now=later) == EnqueueResult(edits=1)
    [edit] = await storage.outbox.due(later)
    assert (edit.id, edit.action, edit.item_id, edit.message_id, edit.channel_id) == (row.id, Action.EDIT, b, 555, 99)
    await storage.outbox.convert_to_send(edit.id, now=later)
    converted = await storage.outbox.get(edit.id)
    assert converted is not None and converted.action is Action.SEND and converted.message_id is None


async def test_dropped_rows_stay_dropped(storage: Storage) -> None:
    [a] = await items(storage, 1)
    await storage.outbox.enqueue([Delivery(AlertKey.parse("item:1"), DM, 7, 10, a)], now=NOW)
    [row] = await storage.outbox.due(NOW)
    await storage.outbox.drop(row.id, "closed DMs", now=NOW)
    await storage.outbox.enqueue([Delivery(AlertKey.parse("item:1"), DM, 7, 10, a)], now=NOW)
    dropped = await storage.outbox.get(row.id)
    assert dropped is not None and dropped.status is Status.DROPPED and dropped.last_error == "closed DMs"
    assert await storage.outbox.due(NOW) == []


async def test_reschedule_due_and_counts(storage: Storage) -> None:
    [a, b] = await items(storage, 2)
    await storage.outbox.enqueue([Delivery(AlertKey.parse("item:1"), CH, 10, 10, a), Delivery(AlertKey.parse("item:2"), CH, 10, 10, b),
                                  Delivery(AlertKey.parse("item:1"), CH, 20, 20, a)], now=NOW)
    first = (await storage.outbox.due(NOW))[0]
    await storage.outbox.reschedule(first.id, at=NOW + timedelta(seconds=30), error="503", now=NOW)
    await storage.outbox.reschedule(first.id, at=NOW + timedelta(seconds=60), error="429", now=NOW,
                                    count_attempt=False)
    assert [r.id for r in await storage.outbox.due(NOW)] == [first.id + 1, first.id + 2]
    assert await storage.outbox.next_due_at() == NOW
    retried = await storage.outbox.get(first.id)
    assert retried is not None and (retried.attempts, retried.last_error) == (1, "429")
    assert await storage.outbox.pending_count() == 3 and await storage.outbox.pending_count(10) == 2

    assert await storage.outbox.drop_channel_rows(10, "deleted", now=NOW) == 2
    assert await storage.outbox.pending_count(10) == 0 and await storage.outbox.pending_count(20) == 1
    assert await storage.outbox.drop_dm_rows(7, "closed", now=NOW) == 0


async def test_rows_survive_reopening_the_database(tmp_path) -> None:
    path = tmp_path / "db.sqlite3"
    storage = await Storage.open(path)
    [a] = await items(storage, 1)
    await storage.outbox.enqueue([Delivery(AlertKey.parse("item:1"), CH, 10, 10, a)], now=NOW)
    await storage.close()
    reopened = await Storage.open(path)
    try:
        [row] = await reopened.outbox.due(NOW)
        assert row.alert_key == AlertKey.for_item(1) and row.status is Status.PENDING
    finally:
        await reopened.close()
