"""The in-memory catalogue: players, clubs, their aliases, and people who are not players."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.catalogue.normalize import norm
from bot.catalogue.vocabulary import SportVocabulary
from bot.models import Alias, AliasKind, Entity, EntityKind

# On ties, entities from the big five leagues come first ("milan" -> AC Milan before Inter Milan's namesakes).
BIG_FIVE = frozenset({"Premier League", "LaLiga", "Serie A", "Bundesliga", "Ligue 1"})


@dataclass(frozen=True, slots=True)
class Person:
    """Someone often named in transfer news who is not a player (manager, agent, journalist…)."""

    name: str
    role: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Collision:
    """An alias that several entities share, found while loading; `mercato catalogue check` reports these."""

    alias: str
    entity_ids: tuple[str, ...]
    resolution: str


@dataclass(slots=True)
class Catalogue:
    """Entities by id, their aliases, and non-player people, as loaded from seeds (and the database)."""

    entities: dict[str, Entity]
    aliases: list[Alias]
    people: list[Person] = field(default_factory=list)
    collisions: list[Collision] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    vocabulary: SportVocabulary = field(default_factory=SportVocabulary)  # seeds/sports.toml
    _by_norm: dict[str, list[Alias]] = field(default_factory=dict, init=False, repr=False)
    # Every player moved in place since this catalogue was built: player id -> (club id, as of). Reading
    # processes hold copies of the catalogue; these few entries bring them up to date (bot.reading).
    moved: dict[str, tuple[str | None, str | None]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        by_norm: dict[str, list[Alias]] = defaultdict(list)
        for alias in self.aliases:
            by_norm[norm(alias.text)].append(alias)
        self._by_norm = dict(by_norm)

    def get(self, entity_id: str) -> Entity:
        """Return the entity with this id (KeyError if unknown)."""
        return self.entities[entity_id]

    def find(self, entity_id: str) -> Entity | None:
        """Return the entity with this id, or None."""
        return self.entities.get(entity_id)

    def club_of(self, player_id: str) -> Entity | None:
        """Return a player's current club, if known."""
        player = self.entities.get(player_id)
        if player is None or player.club_id is None:
            return None
        return self.entities.get(player.club_id)

    def players(self) -> list[Entity]:
        """Return every player."""
        return [e for e in self.entities.values() if e.kind is EntityKind.PLAYER]

    def clubs(self) -> list[Entity]:
        """Return every club."""
        return [e for e in self.entities.values() if e.kind is EntityKind.CLUB]

    def aliases_for(self, folded: str) -> list[Alias]:
        """Return the aliases whose folded form is exactly ``folded``."""
        return self._by_norm.get(folded, [])

    def aliases_of(self, entity_id: str) -> list[Alias]:
        """Return every alias of one entity."""
        return [a for a in self.aliases if a.entity_id == entity_id]

    def prominence(self, entity: Entity) -> int:
        """0 for big-five-league clubs and their players, 1 for everything else (a tie-breaker)."""
        club = entity if entity.kind is EntityKind.CLUB else self.club_of(entity.id)
        return 0 if club is not None and club.league in BIG_FIVE else 1

    def resolve(self, query: str, kind: EntityKind | None = None) -> list[Entity]:
        """Return the entities a typed name means, best first (exact alias; strong before weak; big leagues first)."""
        rank = {AliasKind.STRONG: 0, AliasKind.PLACE: 1, AliasKind.CONTEXT: 2, AliasKind.CONFIRM: 3}
        known = [a for a in self.aliases_for(norm(query)) if a.entity_id in self.entities]
        hits = sorted(known, key=lambda a: (rank[a.kind], self.prominence(self.entities[a.entity_id])))
        out: dict[str, Entity] = {}
        for alias in hits:
            entity = self.entities.get(alias.entity_id)
            if entity is not None and (kind is None or entity.kind is kind):
                out.setdefault(entity.id, entity)
        return list(out.values())

    def search(self, query: str, *, kind: EntityKind | None = None, limit: int = 25) -> list[Entity]:
        """Rank entities for autocomplete: exact alias, then name/alias prefix, then word prefix, then substring."""
        q = norm(query)
        if not q:
            return []
        scored: dict[str, tuple[int, int, int, str]] = {}
        for folded, aliases in self._by_norm.items():
            if folded == q:
                score = 0
            elif folded.startswith(q):
                score = 1
            elif f" {q}" in f" {folded}":
                score = 2
            elif q in folded:
                score = 3
            else:
                continue
            for alias in aliases:
                entity = self.entities.get(alias.entity_id)
                if entity is None or (kind is not None and entity.kind is not kind):
                    continue
                # Clubs before players on ties, then strong aliases before weak ones, then by name.
                weak = 0 if alias.kind in (AliasKind.STRONG, AliasKind.PLACE) else 1
                kind_rank = 0 if entity.kind is EntityKind.CLUB else 1
                key = (score * 2 + weak, kind_rank, self.prominence(entity), entity.name)
                if entity.id not in scored or key < scored[entity.id]:
                    scored[entity.id] = key
        ranked = sorted(scored, key=lambda eid: scored[eid])
        return [self.entities[eid] for eid in ranked[:limit]]

    def move(self, player_id: str, club_id: str | None, as_of: str | None) -> bool:
        """Set a player's club in place (a move learnt or undone while running); True if he is known."""
        player = self.entities.get(player_id)
        if player is None or player.kind is not EntityKind.PLAYER:
            return False
        if (player.club_id, player.as_of) != (club_id, as_of):
            self.entities[player_id] = replace(player, club_id=club_id, as_of=as_of)
            self.moved[player_id] = (club_id, as_of)
        return True

    def copy(self) -> Catalogue:
        """A catalogue whose entities can change (moves learnt while running) without changing this one."""
        return Catalogue(dict(self.entities), list(self.aliases), list(self.people), list(self.collisions),
                         list(self.problems), self.vocabulary)

    @classmethod
    def build(cls, entities: Iterable[Entity], aliases: Iterable[Alias], people: Iterable[Person] = ()) -> Catalogue:
        """Build a catalogue from parts (used by the seed loader and by tests)."""
        return cls({e.id: e for e in entities}, list(aliases), list(people))
