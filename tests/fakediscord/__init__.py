"""A fake Discord (REST + gateway) for running the real, unmodified discord.py client in end-to-end tests.

* ``server.py``: :class:`FakeDiscord`, the aiohttp app (REST under ``/api/v10`` and the gateway), its state,
  request recording, fault injection and interaction helpers;
* ``forum.py``: forum channels (type 15), their posts (threads, ``POST /channels/{id}/threads``), forum tags
  (``available_tags``, ``applied_tags``), replies in posts, thread listings (mixed into :class:`FakeDiscord`);
  messages honour ``enforce_nonce`` (a repeated nonce gets the first message back), and
  :meth:`FakeDiscord.hold_answers` applies a request but withholds its answer (a crash after Discord acted);
* ``payloads.py``: builders for users, guilds, members, channels, messages and interactions, and constants
  (permission bits, JSON error codes);
* ``fixtures.py``: the ``fake_discord`` fixture (starts the fake, patches ``Route.BASE`` and
  ``DiscordWebSocket.DEFAULT_GATEWAY``) and ``run_bot(bot)``, which runs a bot and fails on ``discord.*``
  ERROR logs.

A new end-to-end test (``fake_discord`` comes from ``tests/e2e/conftest.py``; elsewhere import it)::

    from tests.fakediscord import FakeDiscord, run_bot

    async def test_follow(fake_discord: FakeDiscord) -> None:
        async with run_bot(MyBot(guild_ready_timeout=0.05)) as run:   # login, sync, READY
            record = await fake_discord.invoke("follow", {"term": "dragusin"}, user=fake_discord.admin_id)
            await run.wait_for_completion("follow")                   # the handler returned cleanly
        assert record.ephemeral and record.content == "Following Radu Drăgușin"
        assert fake_discord.calls("PUT", "/applications/{}/commands")
"""

from tests.fakediscord.fixtures import BotRun, run_bot
from tests.fakediscord.server import DEFAULT, FakeDiscord, InteractionRecord, Recorded

__all__ = ["DEFAULT", "BotRun", "FakeDiscord", "InteractionRecord", "Recorded", "run_bot"]
