"""Story threads' rules (tags, titles, which reports a post replies with, nonces) and their storage on real SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.forum import (
    STAGE_TAGS,
    Replies,
    post_title,
    replies_due,
    reply_nonce,
    tag_name,
    tags_after,
    tags_to_create,
)
from bot.models import ChannelKind, FeedItem, NewItem, PostSubject, Report, Stage, Story
from bot.storage import Storage

NOW = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)


def test_tag_names_and_titles_fit_discords_limits() -> None:
    assert tag_name("  AC   Milan ") == "AC Milan"
    assert tag_name("Borussia Mönchengladbach") == "Borussia Mönchengla…" and len(tag_name("x" * 40)) == 20
    assert post_title("Radu Drăgușin → AC Milan") == "Radu Drăgușin → AC Milan"
    assert len(post_title("word " * 50)) == 100 and post_title("  \n ") == "(untitled)"
    assert {"talks", "advanced talks", "here we go", "collapsed"} <= STAGE_TAGS and max(map(len, STAGE_TAGS)) <= 20


def test_tags_are_reused_by_name_and_created_only_while_the_forum_has_room() -> None:
    assert tags_to_create(["ac milan", "Roma"], ["AC Milan", "talks"]) == ["talks"]
    assert tags_to_create([f"t{n}" for n in range(19)], ["AC Milan", "talks"]) == ["AC Milan"]
    assert tags_to_create([f"t{n}" for n in range(20)], ["AC Milan"]) == []
    assert tags_to_create([], ["talks", "talks"]) == ["talks"]


def test_a_retag_replaces_the_stage_and_keeps_what_moderators_added() -> None:
    applied = ["AC Milan", "talks", "big deal"]
    assert tags_after(applied, ["AC Milan", "agreement"], drop=STAGE_TAGS) == ["AC Milan", "agreement", "big deal"]
    assert tags_after(["a", "b", "c", "d", "e"], ["AC Milan", "agreement"], drop=STAGE_TAGS) == [
        "AC Milan", "agreement", "a", "b", "c"]  # at most 5 per post, ours first


def report(item_id: int, minute: int, *, feed_id: int | None = 1, tier: int | None = 3) -> Report:
    return Report(item_id, f"outlet {item_id}", tier, Stage.TALKS, NOW + timedelta(minutes=minute), feed_id=feed_id)


def story_of(*reports: Report) -> Story:
    return Story(1, "player:radu-dragusin", "club:ac-milan", None, Stage.TALKS, None, None, reports[0].item_id,
                 NOW, NOW, reports=reports)


def test_replies_are_the_reports_after_the_starter_this_server_may_see_in_publication_order() -> None:
    story = story_of(report(3, 0), report(9, 1), report(4, 2), report(6, 3, feed_id=99), report(7, 4, tier=5),
                     report(8, 5, feed_id=None, tier=None), report(2, -5))
    due = replies_due(story, shown={9}, starter=9, trigger=4, visible_feeds={1}, tier_floor=3)
    # 3 and 2 were published before the starter; 6 is another server's feed; 7 is below the tier floor.
    # 4 was stored before the starter's item (feeds are fetched concurrently) but published after it.
    assert due == Replies((4, 8))
    assert replies_due(story, shown={9, 4, 8}, starter=9, trigger=7, visible_feeds={1}, tier_floor=3).items == (7,)
    assert replies_due(story, shown={9, 4, 8}, starter=9, trigger=4, visible_feeds={1}, tier_floor=3).items == ()


def test_after_an_outage_only_the_newest_five_reports_get_a_reply() -> None:
    many = story_of(*(report(n, n) for n in range(1, 12)))
    capped = replies_due(many, shown={1}, starter=1, trigger=11, visible_feeds={1}, tier_floor=5)
    assert capped == Replies((7, 8, 9, 10, 11), left_out=(2, 3, 4, 5, 6))


def test_reply_nonces_are_unique_per_row_and_item_and_fit_25_characters() -> None:
    assert reply_nonce(1, 2) != reply_nonce(12, 2) != reply_nonce(1, 22)
    assert len(reply_nonce(10**15, 10**15)) <= 25


def test_a_post_is_about_one_story_or_one_item() -> None:
    with pytest.raises(ValueError):
        PostSubject()
    with pytest.raises(ValueError):
        PostSubject(story_id=1, item_id=2)


async def _item(storage: Storage) -> int:
    feed = await storage.feeds.add("https://news.example/rss", now=NOW)
    [stored] = await storage.items.insert(feed.id, [NewItem(FeedItem("u", "t", "", None, NOW), "k", True)],
                                          fetched_at=NOW)
    return stored.id


async def test_a_post_is_recorded_before_discord_is_asked_then_confirmed(storage: Storage) -> None:
    item = await _item(storage)
    subject = PostSubject(item_id=item)
    begun = await storage.forum.begin(10, 500, subject, title="Milan meet Drăgușin", newest_before=41,
                                      starter_item_id=item, stage=None, now=NOW)
    again = await storage.forum.begin(10, 500, subject, title="Milan meet Drăgușin", newest_before=47,
                                      starter_item_id=item, stage=None, now=NOW)  # a retry: the same row
    assert begun.id == again.id and again.thread_id is None and again.newest_before == 47
    assert await storage.forum.find(10, 501, subject) is None and await storage.forum.find(11, 500, subject) is None
    confirmed = await storage.forum.confirm(begun.id, thread_id=900, starter_message_id=900, now=NOW)
    assert confirmed.thread_id == 900 and await storage.forum.shown(begun.id) == {item}  # the starter's article
    assert await storage.forum.thread_taken(900) and not await storage.forum.thread_taken(901)
    await storage.forum.mark_shown(begun.id, [item, item])
    await storage.forum.mark_shown(begun.id, [item + 100])  # an item that is gone is not recorded
    assert await storage.forum.shown(begun.id) == {item}
    await storage.forum.forget(begun.id)
    assert await storage.forum.find(10, 500, subject) is None


async def test_posts_go_with_their_item_and_with_a_server_that_is_purged(storage: Storage) -> None:
    item = await _item(storage)
    for guild in (10, 11):
        await storage.forum.begin(guild, 500, PostSubject(item_id=item), title="t", newest_before=0,
                                  starter_item_id=item, stage=None, now=NOW)
    await storage.privacy.purge_guild(10)
    assert await storage.forum.find(10, 500, PostSubject(item_id=item)) is None
    assert await storage.forum.find(11, 500, PostSubject(item_id=item)) is not None
    await storage.db.execute("DELETE FROM items WHERE id = :id", {"id": item})  # as retention would
    assert await storage.forum.find(11, 500, PostSubject(item_id=item)) is None


async def test_the_alert_channel_remembers_whether_it_is_a_forum(storage: Storage) -> None:
    await storage.guilds.set_alert_channel(10, 500, now=NOW, kind=ChannelKind.FORUM)
    assert (await storage.guilds.get(10)).alert_channel_kind is ChannelKind.FORUM
    await storage.guilds.set_alert_channel(10, 600, now=NOW)
    assert (await storage.guilds.get(10)).alert_channel_kind is ChannelKind.TEXT
