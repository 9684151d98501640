"""Reading in worker processes (bot.reading.ProcessReading) gives what reading in a thread gives, survives a
killed worker, and stops its processes on close. Real processes, no mocks."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.catalogue import Catalogue, Matcher
from bot.models import Feed, FeedItem
from bot.reading import Batch, ItemReader, ProcessReading, ThreadReading
from bot.sources import SourceDirectory, load_sources
from tests.conftest import REPO, SEEDS

NOW = datetime(2026, 1, 29, 12, 0, tzinfo=UTC)
FEED = Feed(1, "https://news.example/rss", "Sky Sports", None, None, None, 0, None, NOW, False, True)


@pytest.fixture(scope="module")
def sources() -> SourceDirectory:
    return load_sources(SEEDS / "sources.toml")


def corpus_batch(limit: int) -> Batch:
    lines = (REPO / "tests" / "data" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()[:limit]
    fresh = []
    for n, line in enumerate(lines):
        record = json.loads(line)
        item = FeedItem(f"uid-{n}", record["title"], record["summary"], f"https://news.example/{n}",
                        NOW - timedelta(hours=1))
        fresh.append((f"link:{n}", item))
    return Batch(FEED, None, fresh, NOW)  # no feed source: every rumour is attributed from its text


@pytest.fixture
async def processes(catalogue: Catalogue, sources: SourceDirectory) -> AsyncIterator[ProcessReading]:
    own = catalogue.copy()  # moves below must not reach the session's catalogue
    reading = ProcessReading(ItemReader(Matcher(own), sources, max_item_age=timedelta(hours=48), provisional=True), 2)
    try:
        yield reading
    finally:
        await reading.close()


async def test_processes_read_exactly_what_a_thread_reads(
    processes: ProcessReading, catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> None:
    batch = corpus_batch(211)  # the whole corpus: provisional names are near its end
    thread = ThreadReading(ItemReader(matcher, sources, max_item_age=timedelta(hours=48), provisional=True))
    expected = await thread.read(batch)
    got = await processes.read(batch)
    assert got == expected
    assert sum(len(rumours) for _, _, rumours, _, _ in got) > 50  # the corpus is rumour-dense: a real comparison
    assert any(candidates for *_, candidates in got)  # provisional names are read in the workers too
    seed = next(r for r in got if "Drăgușin" in r[0].item.title and r[2])
    assert {m.text for m in seed[1].mentions} >= {"Drăgușin", "Tottenham"}


async def test_a_move_made_while_running_reaches_the_workers(processes: ProcessReading) -> None:
    """A rumour's 'from' is the player's current club: after a move in the bot's catalogue, the workers agree."""
    item = FeedItem("u", "Juventus want Radu Drăgușin", "Juventus are keen on Radu Drăgușin.", None, NOW)
    batch = Batch(FEED, None, [("k", item)], NOW)
    before = await processes.read(batch)
    assert [(r.from_club_id, r.to_club_id) for r in before[0][2]] == [("club:tottenham", "club:juventus")]
    processes.reader.catalogue.move("player:radu-dragusin", "club:ac-milan", "2026-01-29")
    after = await processes.read(batch)
    assert [(r.from_club_id, r.to_club_id) for r in after[0][2]] == [("club:ac-milan", "club:juventus")]
    processes.reader.catalogue.move("player:radu-dragusin", "club:tottenham", None)  # an operator's undo
    undone = await processes.read(batch)
    assert [(r.from_club_id, r.to_club_id) for r in undone[0][2]] == [("club:tottenham", "club:juventus")]


async def test_a_killed_worker_loses_no_batch_and_is_replaced(
    processes: ProcessReading, caplog: pytest.LogCaptureFixture
) -> None:
    batch = corpus_batch(40)
    expected = await processes.read(batch)
    pool = processes._pool
    assert pool is not None
    victims = list(pool._processes)  # the worker processes' ids
    os.kill(victims[0], signal.SIGKILL)
    assert await processes.read(batch) == expected  # read in the bot's process this once
    assert "a reading process died" in caplog.text
    assert await processes.read(batch) == expected  # by new workers
    assert processes._pool is not None and not set(processes._pool._processes) & set(victims)


async def test_close_stops_the_workers(catalogue: Catalogue, sources: SourceDirectory) -> None:
    reading = ProcessReading(ItemReader(Matcher(catalogue), sources, max_item_age=timedelta(hours=48),
                                        provisional=False), 2)
    reading.begin()
    await reading.read(corpus_batch(5))
    pids = list(reading._pool._processes) if reading._pool is not None else []
    assert len(pids) == 2
    own = os.getpriority(os.PRIO_PROCESS, 0)  # reading is background work: the bot's process comes first
    assert all(os.getpriority(os.PRIO_PROCESS, pid) == min(19, own + 10) for pid in pids)
    await reading.close()
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


_BOT = """
import asyncio, sys
from datetime import timedelta
from bot.catalogue import Matcher, load_catalogue
from bot.reading import ItemReader, ProcessReading
from bot.sources import load_sources
from tests.conftest import SEEDS
from tests.test_reading import corpus_batch

async def main():
    catalogue = load_catalogue(SEEDS)
    reader = ItemReader(Matcher(catalogue), load_sources(SEEDS / "sources.toml"), max_item_age=timedelta(hours=48),
                        provisional=True)
    reading = ProcessReading(reader, 2)
    await reading.read(corpus_batch(5))
    print(" ".join(str(pid) for pid in reading._pool._processes), flush=True)
    await asyncio.sleep(120)

if __name__ == "__main__":
    asyncio.run(main())
"""


def _running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its parent to reap it has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_killed_bot_leaves_no_reading_process_behind(tmp_path) -> None:
    """SIGKILL the bot's process (a crash, the OOM killer): its reading processes end within seconds."""
    import subprocess
    import sys
    import time

    script = tmp_path / "bot_process.py"
    script.write_text(_BOT, encoding="utf-8")
    bot = subprocess.Popen([sys.executable, str(script)], cwd=REPO, stdout=subprocess.PIPE, text=True,
                           env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        assert bot.stdout is not None
        workers = [int(pid) for pid in bot.stdout.readline().split()]
        assert len(workers) == 2 and all(_running(pid) for pid in workers)
    finally:
        bot.kill()
        bot.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers), "reading processes outlived the bot"


def _explode() -> None:
    raise RuntimeError("this copy cannot be read in a worker")


class _AgeWorkersCannotRead(timedelta):
    """A max item age that pickles into an error: every worker's start-up fails, as a broken install would."""

    def __reduce__(self):  # type: ignore[override]
        return (_explode, ())


async def test_workers_that_cannot_start_fall_back_to_the_bots_process(
    catalogue: Catalogue, sources: SourceDirectory, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing is lost (each batch is read here), and after three dead pools no more are started."""
    reader = ItemReader(Matcher(catalogue), sources, max_item_age=_AgeWorkersCannotRead(hours=48), provisional=True)
    reading = ProcessReading(reader, 2)
    expected = await ThreadReading(reader).read(corpus_batch(10))
    try:
        for _ in range(4):
            assert await reading.read(corpus_batch(10)) == expected
    finally:
        await reading.close()
    assert caplog.text.count("a reading process died") == 2
    assert caplog.text.count("died 3 times in a row: reading in the bot's process from now on") == 1
    assert reading._pool is None and reading._starting is None  # the fourth batch started nothing


async def test_processes_that_cannot_be_started_read_here_with_one_line(
    catalogue: Catalogue, sources: SourceDirectory, caplog: pytest.LogCaptureFixture
) -> None:
    """A pool the machine refuses to start (here: zero workers, a real ValueError of the executor) is not
    retried: one line, and every batch is read in the bot's process."""
    reader = ItemReader(Matcher(catalogue), sources, max_item_age=timedelta(hours=48), provisional=True)
    reading = ProcessReading(reader, 0)
    expected = await ThreadReading(reader).read(corpus_batch(10))
    try:
        for _ in range(3):
            assert await reading.read(corpus_batch(10)) == expected
    finally:
        await reading.close()
    assert caplog.text.count("cannot start reading processes") == 1


def _packs_loaded() -> list[str]:
    from bot.language import pack

    return sorted(language for _seeds, language in pack._PACKS)


async def test_workers_start_with_every_language_pack_loaded(processes: ProcessReading) -> None:
    """Forked from a server that loaded them (bot.preloaded): no worker compiles a pack mid-poll."""
    processes.begin()
    await processes.read(corpus_batch(1))
    assert processes._pool is not None
    loaded = [processes._pool.submit(_packs_loaded).result() for _ in range(4)]
    assert loaded == [["en", "it"]] * 4, loaded
