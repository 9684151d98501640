"""A Mercato database at scale (issue #8 part 5), built through the real storage layer and cached.

    python -m bench.state [--items N] [--follows N] [--servers N] [--days N]

What it holds (defaults: 100,000 items, 100,000 follows in 1,000 servers, 60 days):

- items cycled from the labelled corpus (``tests/data/corpus.jsonl``): each copy of an item keeps its
  wording, its outlet and the rumours the real matcher and extractor read in it, with every player and
  club swapped for a catalogue one (the same swap for the whole copy of the corpus, so the corpus's
  multi-outlet stories stay stories). Popular players and clubs come up more often (a Zipf-like curve,
  AC Milan and Radu Drăgușin first), spread evenly over ``days`` up to :data:`NOW`;
- their mentions, and their stories and reports as the real ingest commit (``IngestStore.commit`` with
  the production decider ``bot.stories.decide``) places them, one commit per feed and batch;
- 75 operator feeds (the corpus's outlets) and 50 servers' own extra feeds (4 % of the items);
- 1,000 servers with an alert channel (one in ten with a tier floor of 3); follows of players, clubs
  (the same popularity curve) and a few free-text terms, users with 1 to 50 follows and some with
  exactly 50; :data:`HOT_CLUB` is followed by exactly ``hot_club_fans`` users in every server and by
  nobody else, so an alert about it alone goes to every server and ``servers × hot_club_fans`` DMs;
  one user in ten has /dm ``always``, one in twenty ``off`` (never a hot-club fan).

The file is built once per parameter set under the temp directory and reused; the key includes a
hash of this module and the migration files, so a change to either builds a new one.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import heapq
import json
import os
import random
import tempfile
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from pathlib import Path

from bot.alerts.pipeline import PLANNED_THROUGH
from bot.catalogue import Catalogue, Matcher, load_catalogue, norm
from bot.ingest import dedupe_key
from bot.language import extract_rumours
from bot.models import DmMode, Entity, EntityKind, FeedItem, Mention, NewItem, ReportedRumour, Rumour, Stage
from bot.reading import reported_rumour
from bot.sources import SourceDirectory, load_sources
from bot.storage import Storage
from bot.storage.db import available_migrations, to_db
from bot.storage.follows import INSERT as INSERT_FOLLOW
from bot.storage.guilds import SET_DM_MODE
from bot.storage.ingest import FeedState
from bot.stories import STORY_WINDOW, decide

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CORPUS = ROOT / "tests" / "data" / "corpus.jsonl"
NOW = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)  # two days before the January windows close: deadline DMs are on
HOT_CLUB = "club:ac-milan"
HOT_PLAYER = "player:radu-dragusin"
BIG_LEAGUES = frozenset({"Premier League", "LaLiga", "Serie A", "Bundesliga", "Ligue 1"})
MENTION_OFFSET = 2  # AC Milan, first, is about one club pick in twelve
FOLLOW_OFFSET = 2
SERVER_FEEDS = 50
SERVER_FEED_SHARE = 0.04
ALERTABLE_HOURS = 48
TERMS = ("wonderkid", "free agent", "release clause", "swap deal", "sell-on clause", "loan army", "academy graduate",
         "saudi", "mls", "deadline day", "goalkeeper", "centre-back", "hijack", "medical", "clause")
TERM_SHARE = 0.03
FILTERED_SHARE = 0.05  # follows with a DM filter ("from talks", "tier <= 2")
FILTER_STAGES = (Stage.TALKS, Stage.AGREEMENT, Stage.HERE_WE_GO)
ECHO_SHARE = 0.4  # items other outlets pick up ...
ECHO_SPREAD = 150  # ... within the next this many items (about 2 hours at 100,000 items over 60 days)
CHUNK = 2_000  # items per round of commits (one commit per feed in the round)
USER_BASE = 10_000_000
CHANNEL_BASE = 900_000_000


@dataclass(frozen=True, slots=True)
class StateSpec:
    """What to generate."""

    items: int = 100_000
    follows: int = 100_000
    servers: int = 1_000
    days: int = 60
    hot_club_fans: int = 10  # per server
    power_users: int = 20  # users with 50 follows (servers 1..20)
    seed: int = 8

    def key(self) -> str:
        """A file-name-safe key of these parameters, this generator and the schema."""
        digest = hashlib.sha256(Path(__file__).read_bytes())
        for number, sql in available_migrations():
            digest.update(f"{number}:{sql}".encode())
        params = "-".join(f"{v}" for v in asdict(self).values())
        return f"{params}-{digest.hexdigest()[:10]}"


@dataclass(frozen=True, slots=True)
class Template:
    """One corpus item as the real matcher and extractor read it."""

    title: str
    summary: str
    mentions: tuple[Mention, ...]  # offsets into ``title + "\\n\\n" + summary``
    rumours: tuple[Rumour, ...]
    outlet: str


@dataclass(frozen=True, slots=True)
class Built:
    """What the generator wrote, for the bench's header line and the tests."""

    path: Path
    items: int
    stories: int
    follows: int
    seconds: float


class Popularity:
    """Weighted picks of players and clubs: rank r weighs 1 / (r + offset).

    The hot club and player rank first, then the big five leagues' clubs and their players (in a fixed
    shuffled order), then everyone else: transfer news is mostly about a few big clubs.
    """

    def __init__(self, catalogue: Catalogue, offset: float, *, exclude: frozenset[str] = frozenset()) -> None:
        def league_of(entity: Entity) -> str | None:
            club = entity if entity.kind is EntityKind.CLUB else catalogue.club_of(entity.id)
            return club.league if club is not None else None

        def ranking(entities: list[Entity], first: str) -> list[str]:
            rest = sorted(e.id for e in entities if e.id != first and e.id not in exclude)
            random.Random(3).shuffle(rest)
            big = {e.id for e in entities if league_of(e) in BIG_LEAGUES}
            rest.sort(key=lambda entity_id: entity_id not in big)  # stable: shuffled within each group
            return ([first] if first not in exclude else []) + rest

        self.players = ranking([p for p in catalogue.players() if not p.provisional], HOT_PLAYER)
        self.clubs = ranking(list(catalogue.clubs()), HOT_CLUB)
        self._player_cum = list(accumulate(1 / (r + offset) for r in range(len(self.players))))
        self._club_cum = list(accumulate(1 / (r + offset) for r in range(len(self.clubs))))

    def player(self, rng: random.Random) -> str:
        return self.players[bisect(self._player_cum, rng.random() * self._player_cum[-1])]

    def club(self, rng: random.Random) -> str:
        return self.clubs[bisect(self._club_cum, rng.random() * self._club_cum[-1])]

    def pick(self, kind_of: str, rng: random.Random) -> str:
        return self.player(rng) if kind_of.startswith("player:") else self.club(rng)


def load_templates(catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory) -> list[Template]:
    """Read every corpus item once through the real matcher and rumour extractor."""
    templates = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        title, summary = " ".join(raw["title"].split()), raw["summary"]
        match = matcher.match_item(title, summary)
        source = sources.for_feed(None, raw["feed"])
        outlet = source.name if source is not None else raw["feed"]
        rumours = extract_rumours(match, catalogue, sources=sources, feed_source=source)
        templates.append(Template(title, summary, match.mentions, tuple(rumours), outlet))
    return templates


class Swap:
    """One copy of the corpus: each original player or club stands for one other (never two for one)."""

    def __init__(self, popularity: Popularity, catalogue: Catalogue, rng: random.Random) -> None:
        self._popularity = popularity
        self._catalogue = catalogue
        self._rng = rng
        self._to: dict[str, str] = {}
        self._used: set[str] = set()

    def __call__(self, entity_id: str) -> str:
        if entity_id not in self._to:
            pick = self._popularity.pick(entity_id, self._rng)
            for _ in range(20):
                if pick not in self._used:
                    break
                pick = self._popularity.pick(entity_id, self._rng)
            self._to[entity_id] = pick
            self._used.add(pick)
        return self._to[entity_id]

    def name(self, entity_id: str) -> str:
        return self._catalogue.get(self(entity_id)).name

    def text(self, template: Template) -> tuple[str, str, tuple[Mention, ...]]:
        """The template's title and summary with every mention swapped, and the new mentions."""
        combined = f"{template.title}\n\n{template.summary}" if template.summary else template.title
        out, mentions, cursor = [], [], 0
        for m in template.mentions:
            if m.start < cursor:  # overlapping spans: keep the first
                continue
            out.append(combined[cursor:m.start])
            name = self.name(m.entity_id)
            start = sum(len(part) for part in out)
            mentions.append(Mention(self(m.entity_id), start, start + len(name), name))
            out.append(name)
            cursor = m.end
        out.append(combined[cursor:])
        text = "".join(out)
        title, _, summary = text.partition("\n\n")
        return title, summary, tuple(mentions)

    def rumour(self, rumour: Rumour) -> Rumour:
        return replace(rumour, player_id=self(rumour.player_id), to_club_id=self(rumour.to_club_id),
                       from_club_id=self(rumour.from_club_id) if rumour.from_club_id else None)


_Row = tuple[int, str, NewItem, tuple[ReportedRumour, ...]]


@dataclass(slots=True)
class _Feeds:
    by_outlet: dict[str, int]
    own: list[tuple[int, str]]  # (feed id, title) of servers' extra feeds, server i + 1 owning own[i]


async def _add_feeds(storage: Storage, templates: list[Template], start: datetime) -> _Feeds:
    by_outlet = {}
    for n, outlet in enumerate(sorted({t.outlet for t in templates})):
        by_outlet[outlet] = (await storage.feeds.add(f"https://outlet-{n}.bench.example/rss", now=start)).id
    own = []
    for g in range(1, SERVER_FEEDS + 1):
        feed = await storage.feeds.add(f"https://fans-{g}.bench.example/rss", now=start, guild_id=g, added_by=g)
        own.append((feed.id, f"Server {g} fan blog"))
    return _Feeds(by_outlet, own)


@dataclass(frozen=True, slots=True)
class _Article:
    """One swapped corpus item: what every outlet carrying it prints and reports."""

    title: str
    summary: str
    mentions: tuple[Mention, ...]
    rumours: tuple[Rumour, ...]
    outlet: str


class _Articles:
    """Corpus items in a new order with new names for every copy of the corpus; some echoed by other outlets."""

    def __init__(self, spec: StateSpec, templates: list[Template], catalogue: Catalogue) -> None:
        self._templates = templates
        self._catalogue = catalogue
        self._popularity = Popularity(catalogue, offset=MENTION_OFFSET)
        self.rng = random.Random(spec.seed)
        self._order: list[int] = []
        self._swap = Swap(self._popularity, catalogue, self.rng)
        self._echoes: list[tuple[int, int, _Article]] = []  # (due at item number, tie-break, article)

    def next(self, n: int) -> tuple[_Article, bool]:
        """The article of item ``n``, and whether it is an echo of an earlier one."""
        if self._echoes and self._echoes[0][0] <= n:
            return heapq.heappop(self._echoes)[2], True
        if not self._order:
            self._order = self.rng.sample(range(len(self._templates)), len(self._templates))
            self._swap = Swap(self._popularity, self._catalogue, self.rng)
        template = self._templates[self._order.pop()]
        title, summary, mentions = self._swap.text(template)
        article = _Article(title, summary, mentions, tuple(self._swap.rumour(r) for r in template.rumours),
                           template.outlet)
        if self.rng.random() < ECHO_SHARE:
            for _ in range(1 + min(7, int(self.rng.expovariate(1 / 2)))):
                heapq.heappush(self._echoes, (n + self.rng.randint(1, ECHO_SPREAD), n, article))
        return article, False


def _items(spec: StateSpec, templates: list[Template], catalogue: Catalogue, feeds: _Feeds,
           sources: SourceDirectory) -> Iterator[_Row]:
    """Yield (feed id, outlet, NewItem, reported rumours) in publication order."""
    articles = _Articles(spec, templates, catalogue)
    rng = articles.rng
    outlets = sorted(feeds.by_outlet)
    source_of = {outlet: sources.for_feed(None, outlet) for outlet in [*outlets, *(t for _, t in feeds.own)]}
    step = timedelta(days=spec.days) / spec.items
    start = NOW - timedelta(days=spec.days)
    for n in range(spec.items):
        article, echo = articles.next(n)
        published = min(NOW, start + step * (n + 0.5) + timedelta(minutes=rng.uniform(-20, 20)))
        if rng.random() < SERVER_FEED_SHARE:
            feed_id, outlet = feeds.own[rng.randrange(len(feeds.own))]
        else:
            outlet = rng.choice(outlets) if echo else article.outlet
            feed_id = feeds.by_outlet[outlet]
        link = f"https://feed-{feed_id}.bench.example/news/{n}?utm_source=rss"
        item = FeedItem(f"bench-{n}", article.title, article.summary, link, published.replace(microsecond=0))
        alertable = published >= NOW - timedelta(hours=ALERTABLE_HOURS)
        new = NewItem(item, dedupe_key(feed_id, item), alertable, article.mentions)
        yield feed_id, outlet, new, tuple(reported_rumour(r, outlet, source_of[outlet]) for r in article.rumours)


async def _store_items(
    storage: Storage, spec: StateSpec, templates: list[Template], catalogue: Catalogue, sources: SourceDirectory
) -> int:
    """Commit every item through the real ingest commit (one transaction per feed per round of CHUNK items).

    Returns how many stories the decider opened.
    """
    feeds = await _add_feeds(storage, templates, NOW - timedelta(days=spec.days + 1))
    rounds: dict[int, list[tuple[NewItem, tuple[ReportedRumour, ...]]]] = defaultdict(list)
    titles: dict[int, str] = {}
    stories = 0
    for count, (feed_id, outlet, new, reported) in enumerate(_items(spec, templates, catalogue, feeds, sources), 1):
        rounds[feed_id].append((new, reported))
        titles[feed_id] = outlet
        if count % CHUNK == 0 or count == spec.items:
            for fid, batch in rounds.items():
                fetched = max(new.item.published for new, _ in batch) + timedelta(minutes=2)
                state = FeedState(fid, fetched, fetched + timedelta(minutes=5), None, None, None, titles[fid])
                done = await storage.ingest.commit(state, batch, decide=decide,
                                                   window=STORY_WINDOW)
                stories += sum(u.is_new for d in done for u in d.updates)
            rounds.clear()
    await storage.meta.set(PLANNED_THROUGH, str(await storage.timeline.max_item_id()))
    return stories


def follow_rows(spec: StateSpec, catalogue: Catalogue) -> tuple[list[dict[str, object]], set[int], set[int]]:
    """Every follow as an ``INSERT_FOLLOW`` row, the users, and the hot club's fans (who keep the default /dm mode)."""
    popularity = Popularity(catalogue, offset=FOLLOW_OFFSET, exclude=frozenset({HOT_CLUB}))
    rng = random.Random(spec.seed + 1)
    created = to_db(NOW - timedelta(days=spec.days))
    rows: list[dict[str, object]] = []
    fans: set[int] = set()
    next_user = USER_BASE

    def follow(guild_id: int, user_id: int, count: int, first: str | None = None) -> None:
        chosen: dict[tuple[str | None, str | None], None] = {}
        if first is not None:
            chosen[(first, None)] = None
        while len(chosen) < count:
            if rng.random() < TERM_SHARE:
                chosen[(None, rng.choice(TERMS))] = None
            else:
                chosen[(popularity.player(rng) if rng.random() < 0.5 else popularity.club(rng), None)] = None
        for entity_id, term in chosen:
            dm_filter = entity_id != HOT_CLUB and rng.random() < FILTERED_SHARE  # the hot club: never filtered
            rows.append({"guild_id": guild_id, "user_id": user_id, "entity_id": entity_id, "term": term,
                         "term_norm": norm(term) if term else None, "now": created,
                         "min_stage": rng.choice(FILTER_STAGES).value if dm_filter else None,
                         "max_tier": rng.choice((None, 2, 3)) if dm_filter else None})

    for p in range(spec.power_users):
        follow(p % spec.servers + 1, next_user, 50)
        next_user += 1
    for guild_id in range(1, spec.servers + 1):
        for _ in range(spec.hot_club_fans):
            fans.add(next_user)
            follow(guild_id, next_user, 1 + min(20, int(rng.expovariate(1 / 3))), first=HOT_CLUB)
            next_user += 1
    while len(rows) < spec.follows:
        guilds = [rng.randrange(spec.servers) + 1]
        if rng.random() < 0.12:  # some users are in two servers
            guilds.append(rng.randrange(spec.servers) + 1)
        for guild_id in dict.fromkeys(guilds):
            follow(guild_id, next_user, 1 + min(49, int(rng.expovariate(1 / 3))))
        next_user += 1
    rows = rows[: spec.follows]
    return rows, {int(str(r["user_id"])) for r in rows}, fans


async def _store_servers(storage: Storage, spec: StateSpec, catalogue: Catalogue) -> int:
    """Servers' settings, users' /dm modes and every follow (bulk inserts through storage's own SQL)."""
    rng = random.Random(spec.seed + 2)
    for guild_id in range(1, spec.servers + 1):
        await storage.guilds.set_alert_channel(guild_id, CHANNEL_BASE + guild_id, now=NOW)
        if guild_id % 10 == 0:
            await storage.guilds.set_tier_floor(guild_id, 3, now=NOW)
    rows, users, fans = follow_rows(spec, catalogue)
    await storage.db.executemany(INSERT_FOLLOW, rows)
    modes = []
    for user_id in sorted(users - fans):
        roll = rng.random()
        if roll < 0.15:
            mode = DmMode.ALWAYS if roll < 0.10 else DmMode.OFF
            modes.append({"user_id": user_id, "mode": mode.value, "now": to_db(NOW)})
    await storage.db.executemany(SET_DM_MODE, modes)
    return len(rows)


async def build(spec: StateSpec, path: Path, catalogue: Catalogue | None = None, matcher: Matcher | None = None
                ) -> Built:
    """Write the state described by ``spec`` into a new database at ``path`` (the seeds' catalogue and matcher
    may be passed in, built once)."""
    started = time.perf_counter()
    catalogue = catalogue or load_catalogue(SEEDS)
    sources = load_sources(SEEDS / "sources.toml")
    templates = load_templates(catalogue, matcher or Matcher(catalogue), sources)
    storage = await Storage.open(path)
    try:
        await storage.db.fetchone("PRAGMA synchronous = OFF")  # a scratch file: durability buys nothing here
        await storage.catalogue.sync(catalogue)
        stories = await _store_items(storage, spec, templates, catalogue, sources)
        follows = await _store_servers(storage, spec, catalogue)
        items = await storage.items.count()
        await storage.db.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await storage.close()
    return Built(path, items, stories, follows, time.perf_counter() - started)


def cache_dir() -> Path:
    """Where built states are kept between runs."""
    return Path(os.environ.get("MERCATO_BENCH_DIR") or Path(tempfile.gettempdir()) / "mercato-bench")


async def ensure(spec: StateSpec, *, quiet: bool = False) -> Path:
    """The cached state for ``spec``, built first if missing (into a temp name, then renamed)."""
    path = cache_dir() / f"state-{spec.key()}.sqlite3"
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f"{path.stem}.{os.getpid()}.building")
    try:
        built = await build(spec, scratch)
        scratch.replace(path)
    finally:
        for leftover in (scratch, Path(f"{scratch}-wal"), Path(f"{scratch}-shm")):
            leftover.unlink(missing_ok=True)
    if not quiet:
        print(f"  built {path.name}: {built.items:,} items, {built.stories:,} stories, {built.follows:,} follows "
              f"in {built.seconds:.1f} s")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.state", description=__doc__.split("\n\n")[0])
    defaults = StateSpec()
    for name in ("items", "follows", "servers", "days"):
        parser.add_argument(f"--{name}", type=int, default=getattr(defaults, name))
    args = parser.parse_args()
    spec = StateSpec(items=args.items, follows=args.follows, servers=args.servers, days=args.days)
    print(asyncio.run(ensure(spec)))


if __name__ == "__main__":
    main()
