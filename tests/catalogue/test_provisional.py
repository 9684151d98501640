"""Provisional players: the detector's precision, the `match --json` flag, and sightings/promotion in the pipeline."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.catalogue import Catalogue, Matcher, norm
from bot.catalogue.operator import load_database_layer
from bot.catalogue.provisional import detect
from bot.catalogue.tracker import ProvisionalTracker
from bot.cli import main
from bot.feeds.fetch import FeedFetcher
from bot.ingest import Ingestor
from bot.models import EntityKind
from bot.sources import SourceDirectory, load_sources
from bot.storage import Storage
from tests.conftest import SEEDS
from tests.feedserver import FeedServer

T0 = datetime(2026, 1, 29, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sources() -> SourceDirectory:
    return load_sources(SEEDS / "sources.toml")


def found(text: str, catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory) -> list[tuple[str, str | None]]:
    return [(c.name, c.club_id) for c in detect(matcher.match(text), catalogue, sources=sources)]


# ----------------------------------------------------------------------------- detector: what it finds

POSITIVE = [
    # <Club> <position> <Name>
    ("Lens striker Joe Bloggs is wanted by Arsenal.", "Joe Bloggs", "club:lens"),
    ("Arsenal are tracking Lens' highly-rated winger Tomás Ferreira.", "Tomás Ferreira", "club:lens"),
    ("Porto goalkeeper Diogo Almeida has attracted interest from Newcastle.", "Diogo Almeida", "club:porto"),
    ("Fenerbahce centre-back Mert Yilmaz is a target for Inter.", "Mert Yilmaz", "club:fenerbahce"),
    # <Name>, 23,
    ("Brighton are tracking Kofi Mensah, 19, of Burnley.", "Kofi Mensah", "club:burnley"),
    ("Everton want Tom Smith, 21, who impressed on loan this season.", "Tom Smith", None),
    # sign <Name> from <Club>
    ("Napoli want to sign Marco Ricciardi from Empoli in January.", "Marco Ricciardi", "club:empoli"),
    ("Real Madrid are keen to sign Jean-Baptiste Koné from Rennes on loan.", "Jean-Baptiste Koné", "club:rennes"),
    ("Chelsea have made a bid for Sven van der Berg from Ajax.", "Sven van der Berg", "club:ajax"),
    ("Leicester want to sign Omar El Amrani on a free transfer from Lille.", "Omar El Amrani", "club:lille"),
    ("Everton completed a move for Callum O'Brien from Sunderland.", "Callum O'Brien", "club:sunderland"),
    # the <nationality> international <Name>
    ("Juventus are monitoring the Brazilian international Lucas Ferreira ahead of the window.", "Lucas Ferreira",
     None),
    ("Wolves are close to signing the Ghanaian international Kwame Boateng.", "Kwame Boateng", None),
    ("Milan are closing in on Pedro dos Reis, the Portuguese international.", "Pedro dos Reis", None),
    ("Celtic have completed the signing of Norwegian international midfielder Eirik Solberg from Midtjylland.",
     "Eirik Solberg", "club:fc-midtjylland"),
    # a fifth shape, from match reports
    ("A late header from Jonas Peeters gave Anderlecht the win.", "Jonas Peeters", None),
]


@pytest.mark.parametrize(("text", "name", "club"), POSITIVE)
def test_the_four_transfer_shapes_are_detected_with_their_club(
    text: str, name: str, club: str | None, catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> None:
    """Each context pattern yields exactly the unknown player, with the club the text ties him to."""
    assert found(text, catalogue, matcher, sources) == [(name, club)]


def test_candidate_carries_cue_evidence_position_and_nationality(
    catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> None:
    """The evidence is the cue as written; position and nationality come from the cue when it gives them."""
    [striker] = detect(matcher.match("Lens striker Joe Bloggs is wanted."), catalogue, sources=sources)
    assert (striker.cue, striker.evidence, striker.position) == ("club-position", "Lens striker Joe Bloggs", "FW")
    [aged] = detect(matcher.match("In January Joe Bloggs, 23, joined Lens on loan."), catalogue, sources=sources)
    assert (aged.name, aged.cue, aged.evidence) == ("Joe Bloggs", "age", "Joe Bloggs, 23")
    [brazilian] = detect(matcher.match("Inter Milan want the Brazilian international Lucas Ferreira."), catalogue,
                         sources=sources)
    assert brazilian.nationality == "Brazil"
    assert brazilian.entity_id == "player:lucas-ferreira"


# ----------------------------------------------------------------------------- detector: what it must not find

NEGATIVE = [
    # managers, coaches, directors, owners, presidents, referees, pundits, scouts
    "Chelsea head coach Enzo Maresca, 45, wants to sign a striker before the deadline.",
    "Tottenham head coach Joe Bloggs said the club would sign a striker.",
    "Arsenal manager Mikel Arteta wants to sign a striker from Lens.",
    "Lens sporting director Joe Bloggs confirmed the club want to sign a new striker.",
    "Inter president Giuseppe Marotta, 68, said the club will not sell.",
    "Manchester United owner Jim Ratcliffe, 72, wants a new striker.",
    "Bayern chairman Herbert Hainer, 71, confirmed they will sign a striker.",
    "Chelsea CEO Joe Bloggs, 50, confirmed the deal.",
    "Referee Michael Oliver, 40, sent off the Arsenal striker.",
    "Pundit Gary Neville, 50, said Manchester United must sign a striker.",
    "Tottenham scout Steve Hitchen, 52, watched the Lens striker.",
    "Napoli coach Antonio Conte wants the Italian international from Juventus.",
    # agents, journalists, outlets, photo credits
    "Agent Jorge Mendes held talks with Wolves over a new striker.",
    "Sky Sports journalist Kaveh Solhekol says Arsenal will sign a striker.",
    "Gianluca Di Marzio reports that Napoli will sign a defender from Empoli.",
    "Fabrizio Romano reports that Chelsea have agreed a fee for a Lens striker.",
    "According to Matt Law, Chelsea want to sign a Lens striker.",
    "Reporter John Cross, 50, says Arsenal want to sign a striker.",
    "Photo by Justin Setterfield/Getty Images. Arsenal want a striker.",
    "Arsenal want to sign a striker. Meanwhile Sky Sports News, 24, reports.",
    # other sports
    "Tennis star Jannik Sinner, 24, was at the match as Inter beat Milan.",
    "NBA legend LeBron James, 40, bought a stake in AC Milan.",
    "F1 driver Lewis Hamilton, 40, watched Chelsea beat Arsenal.",
    "Golf: Rory McIlroy, 36, won again. Elsewhere Arsenal want a striker.",
    "Yorkshire cricket signed Joe Root, 34, from Lancashire.",
    # months, days, competitions, places, clubs, headlines in Title Case
    "Chelsea will face Real Madrid in the Champions League final in May.",
    "Juventus want to sign Serie A winner from Napoli.",
    "Christmas Day, 25, is when Arsenal play Chelsea.",
    "Arsenal are chasing a striker, with Monday, January 5, the target date.",
    "Tottenham will sign a striker from North London rivals Arsenal.",
    "Arsenal are interested in Lens striker Juventus Turin.",
    "Arsenal Striker Joe Bloggs Set For Summer Move To Lens",
    # names the catalogue already knows, by any alias, diacritics or not
    "Barcelona midfielder Frenkie de Jong is wanted by Manchester United.",
    "Tottenham centre-back Radu Dragusin, 23, is wanted by AC Milan.",
    "Arsenal want to sign Real Sociedad midfielder Martin Zubimendi.",
    "Manchester United want to sign the Swedish international Viktor Gyokeres from Sporting CP.",
    "Liverpool boss Arne Slot wants to sign Crystal Palace defender Marc Guéhi.",
    # an age with no football or transfer cue; staff appointed "as" a role
    "Jane Doe, 34, was arrested in Leeds on Tuesday.",
    "Leeds United have appointed Mark Jenkins, 45, as head of recruitment.",
    "Sheffield United have appointed Joe Bloggs, 38, as sporting director.",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_non_players_places_and_known_names_are_never_provisional(
    text: str, catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> None:
    """Managers, journalists, other sports, months, competitions and catalogued names: nothing is proposed."""
    assert found(text, catalogue, matcher, sources) == []


def test_the_seed_article_has_no_provisional_player(
    seed_article: tuple[str, str], catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> None:
    """The seed article names Guardiola, "North London" and "the Romanian international": none is a new player."""
    assert detect(matcher.match_item(*seed_article), catalogue, sources=sources) == []


def test_precision_and_recall_on_the_labelled_corpus(
    catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> None:
    """On the labelled corpus (items list their uncatalogued players under "provisional"), floors hold.

    Every other corpus item names only catalogued players, so anything found there is a false positive.
    """
    corpus = Path(__file__).resolve().parent.parent / "data" / "corpus.jsonl"
    items = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    labelled = sum(len(item.get("provisional", [])) for item in items)
    hits = misses = false = 0
    for item in items:
        want = {norm(name) for name in item.get("provisional", [])}
        got = {norm(c.name) for c in detect(matcher.match_item(item["title"], item["summary"]), catalogue,
                                            sources=sources)}
        hits, misses, false = hits + len(got & want), misses + len(want - got), false + len(got - want)
    assert labelled >= 10, "the corpus should carry provisional labels"
    # Floors, not targets (like tests/test_eval.py): precision matters most, a false player is alert noise.
    assert hits / max(1, hits + false) >= 0.95
    assert hits / max(1, hits + misses) >= 0.80


# ----------------------------------------------------------------------------- `mercato match --json`


def test_match_json_flags_provisional_players(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Catalogued players carry "provisional": false, detected ones "provisional": true with their club."""
    article = tmp_path / "a.txt"
    article.write_text("Milan eye Lens striker\nAC Milan want Lens striker Joe Bloggs and Radu Drăgușin.\n",
                       encoding="utf-8")
    assert main(["match", str(article), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    players = {p["name"]: p for p in out["players"]}
    assert players["Radu Drăgușin"]["provisional"] is False
    assert players["Joe Bloggs"] == {"name": "Joe Bloggs", "club": "Lens", "matched": ["Joe Bloggs"],
                                     "provisional": True}
    assert main(["match", str(article)]) == 0
    assert "Joe Bloggs (Lens) [provisional]" in capsys.readouterr().out


# ----------------------------------------------------------------------------- pipeline: sightings and promotion


def rss(*items: tuple[str, str], title: str, when: datetime = T0) -> str:
    entries = "".join(
        f"<item><title>{headline}</title><link>https://{title.lower()}.example/{guid}</link>"
        f"<guid isPermaLink='false'>{guid}</guid><pubDate>{when:%a, %d %b %Y %H:%M:%S} GMT</pubDate>"
        f"<description>{headline}</description></item>"
        for guid, headline in items
    )
    return f"<?xml version='1.0'?><rss version='2.0'><channel><title>{title}</title>{entries}</channel></rss>"


@pytest.fixture
def own_catalogue(catalogue: Catalogue) -> Catalogue:
    """A private copy: the tracker adds provisional players to the catalogue it is given."""
    copy = Catalogue.build(catalogue.entities.values(), catalogue.aliases, catalogue.people)
    copy.collisions.extend(catalogue.collisions)
    return copy


@pytest.fixture
async def pipeline(
    storage: Storage, own_catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> AsyncIterator[tuple[Ingestor, ProvisionalTracker, FeedServer]]:
    await storage.catalogue.sync(own_catalogue)
    tracker = ProvisionalTracker(storage.entities, own_catalogue, sources=sources)
    async with FeedServer() as server, FeedFetcher(allow_private=True, total_timeout=5) as fetcher:
        yield Ingestor(storage, fetcher, matcher, provisional=tracker), tracker, server


BLOGGS = "player:joe-bloggs"


async def provisional_flag(storage: Storage, entity_id: str) -> tuple[str | None, bool | None]:
    layer = await storage.entities.layer()
    stored = {s.entity.id: s for s in layer.entities}.get(entity_id)
    return (stored.source, stored.entity.provisional) if stored else (None, None)


async def test_two_feeds_promote_a_provisional_player(
    storage: Storage, pipeline: tuple[Ingestor, ProvisionalTracker, FeedServer]
) -> None:
    """Seen in one feed: provisional, with club and sighting; reported by a second outlet: a regular player."""
    ingestor, tracker, server = pipeline
    server.add("/one", rss(("a1", "Arsenal scout Lens striker Joe Bloggs"), title="One"))
    server.add("/two", rss(("b1", "Chelsea join race for Lens striker Joe Bloggs"), title="Two"))
    one = await storage.feeds.add(server.url("/one"), now=T0)
    two = await storage.feeds.add(server.url("/two"), now=T0)

    await ingestor.poll([one], T0)
    assert await provisional_flag(storage, BLOGGS) == ("provisional", True)
    [sighting] = await storage.entities.sightings(BLOGGS)
    assert (sighting.feed_id, sighting.club_id, sighting.evidence) == (one.id, "club:lens", "Lens striker Joe Bloggs")
    assert tracker.catalogue.get(BLOGGS).provisional is True
    [item_id] = [r[0] for r in await storage.db.fetchall("SELECT id FROM items")]
    assert (BLOGGS, "Joe Bloggs") in await storage.items.mentions(item_id)

    await ingestor.poll([two], T0 + timedelta(minutes=5))
    assert await provisional_flag(storage, BLOGGS) == ("learned", False)
    assert {s.feed_id for s in await storage.entities.sightings(BLOGGS)} == {one.id, two.id}
    assert tracker.catalogue.get(BLOGGS).provisional is False


async def test_one_feed_twice_does_not_promote(
    storage: Storage, pipeline: tuple[Ingestor, ProvisionalTracker, FeedServer]
) -> None:
    """Two items from the same outlet are one source: he stays provisional."""
    ingestor, _, server = pipeline
    server.add("/one", rss(("a1", "Lens striker Joe Bloggs wanted"), title="One"))
    feed = await storage.feeds.add(server.url("/one"), now=T0)
    await ingestor.poll([feed], T0)
    server.add("/one", rss(("a1", "Lens striker Joe Bloggs wanted"), ("a2", "Arsenal to sign Joe Bloggs from Lens"),
                           title="One"))
    feed = await storage.feeds.by_url(server.url("/one"))
    assert feed is not None
    await ingestor.poll([feed], T0 + timedelta(minutes=5))
    assert len(await storage.entities.sightings(BLOGGS)) == 2
    assert await provisional_flag(storage, BLOGGS) == ("provisional", True)


async def test_a_follow_promotes_and_term_follows_are_relinked(
    storage: Storage, pipeline: tuple[Ingestor, ProvisionalTracker, FeedServer]
) -> None:
    """A free-text follow equal to his name promotes him at the next sighting and becomes an entity follow."""
    ingestor, _, server = pipeline
    server.add("/one", rss(("a1", "Lens striker Joe Bloggs wanted"), title="One"))
    feed = await storage.feeds.add(server.url("/one"), now=T0)
    await ingestor.poll([feed], T0)
    for user, kwargs in ((1, {"term": "Joe Bloggs", "term_norm": norm("Joe Bloggs")}),
                         (2, {"term": "joe bloggs", "term_norm": norm("joe bloggs")}),
                         (2, {"entity_id": BLOGGS})):
        assert await storage.follows.add(guild_id=7, user_id=user, now=T0, limit=50, **kwargs)
    assert await provisional_flag(storage, BLOGGS) == ("provisional", True)

    server.add("/one", rss(("a1", "Lens striker Joe Bloggs wanted"), ("a2", "Joe Bloggs, 23, on Spurs list"),
                           title="One"))
    feed = await storage.feeds.by_url(server.url("/one"))
    assert feed is not None
    await ingestor.poll([feed], T0 + timedelta(minutes=5))
    assert await provisional_flag(storage, BLOGGS) == ("learned", False)
    for user in (1, 2):
        follows = await storage.follows.of_user(guild_id=7, user_id=user)
        # User 2 already followed him: the duplicate term follow is dropped, not a constraint error.
        assert [(f.entity_id, f.term) for f in follows] == [(BLOGGS, None)]


async def test_follows_made_while_down_promote_at_start_up(
    storage: Storage, pipeline: tuple[Ingestor, ProvisionalTracker, FeedServer], catalogue: Catalogue
) -> None:
    """At start-up the merged catalogue knows him (so the matcher does), and a follow since then promotes him."""
    ingestor, _, server = pipeline
    server.add("/one", rss(("a1", "Lens striker Joe Bloggs wanted"), title="One"))
    await ingestor.poll([await storage.feeds.add(server.url("/one"), now=T0)], T0)

    merged = await load_database_layer(storage, catalogue, common_words=frozenset(), now=T0)
    assert merged.get(BLOGGS).provisional is True
    assert Matcher(merged).match("Joe Bloggs scores again").entity_ids() == [BLOGGS]

    await storage.follows.add(guild_id=7, user_id=1, now=T0, limit=50, entity_id=BLOGGS)
    merged = await load_database_layer(storage, catalogue, common_words=frozenset(), now=T0)
    assert merged.get(BLOGGS).provisional is False
    assert merged.get(BLOGGS).kind is EntityKind.PLAYER


async def test_bookkeeping_failure_never_breaks_the_poll(
    tmp_path: Path, own_catalogue: Catalogue, matcher: Matcher, sources: SourceDirectory
) -> None:
    """If recording sightings fails (database gone), observe logs and returns nothing instead of raising."""
    store = await Storage.open(tmp_path / "gone.sqlite3")
    tracker = ProvisionalTracker(store.entities, own_catalogue, sources=sources)
    await store.close()
    assert await tracker.observe(1, 1, matcher.match("Lens striker Joe Bloggs is wanted."), now=T0) == []
