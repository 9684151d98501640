"""The database layer of the catalogue: operator-added and provisional players, their aliases and moves,
merged over the seed catalogue exactly as the seed loader would have merged them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.catalogue.model import Catalogue, Collision
from bot.catalogue.normalize import norm
from bot.models import Alias, AliasKind, Entity, EntityKind

if TYPE_CHECKING:
    from bot.storage.entities import CatalogueLayer

__all__ = ["merge_layer"]


def merge_layer(base: Catalogue, layer: CatalogueLayer, *, common_words: frozenset[str] = frozenset()) -> Catalogue:
    """Return ``base`` (the seed catalogue) with the database layer added; ``base`` is not changed.

    Seed entities win over database rows with the same id. A new alias that another entity already
    uses, or a player alias that is a common word or a non-player's name, is downgraded exactly as
    the seed loader would (player: strong -> context; club: strong/place -> confirm), and so are the
    other owners' strong aliases of that text. Each downgrade is recorded in ``collisions``.
    """
    problems = list(base.problems)
    entities = _layer_entities(base, layer, problems)

    aliases = list(base.aliases)
    by_norm: dict[str, list[int]] = defaultdict(list)
    for index, alias in enumerate(aliases):
        by_norm[norm(alias.text)].append(index)
    people = {norm(text) for person in base.people for text in person.aliases}
    collisions: list[Collision] = []

    def weaker(entity: Entity) -> AliasKind:
        return AliasKind.CONTEXT if entity.kind is EntityKind.PLAYER else AliasKind.CONFIRM

    def trusted(entity: Entity, kind: AliasKind) -> bool:
        return kind is AliasKind.STRONG or (entity.kind is EntityKind.CLUB and kind is AliasKind.PLACE)

    for alias in [*layer.aliases, *layer.operator_aliases]:
        entity = entities.get(alias.entity_id)
        if entity is None:
            problems.append(f"database: alias {alias.text!r} belongs to {alias.entity_id}, which is not catalogued")
            continue
        folded = norm(alias.text)
        same = [i for i in by_norm[folded] if aliases[i].entity_id == entity.id]
        if same:
            # Already known; an operator may only make it weaker ("--context" on an existing alias).
            if alias.kind in (AliasKind.CONTEXT, AliasKind.CONFIRM) and trusted(entity, aliases[same[0]].kind):
                aliases[same[0]] = Alias(aliases[same[0]].text, entity.id, weaker(entity))
            continue
        rivals = [i for i in by_norm[folded] if (e := entities.get(aliases[i].entity_id)) is not None
                  and (e.kind is entity.kind or entity.kind is EntityKind.PLAYER)]
        owners = tuple(sorted({entity.id, *(aliases[i].entity_id for i in rivals)}))
        kind = alias.kind
        if trusted(entity, kind):
            why = _downgrade_reason(entity, folded, bool(rivals), common_words, people)
            if why:
                kind = weaker(entity)
                collisions.append(Collision(alias.text, owners, f"{alias.kind} -> {kind} ({why}, database)"))
        for i in rivals:
            rival = entities[aliases[i].entity_id]
            if rival.kind is entity.kind and trusted(rival, aliases[i].kind):
                old = aliases[i]
                aliases[i] = Alias(old.text, old.entity_id, weaker(rival))
                collisions.append(Collision(old.text, owners, f"{old.kind} -> {weaker(rival)} (shared, database)"))
        aliases.append(Alias(alias.text, entity.id, kind))
        by_norm[folded].append(len(aliases) - 1)

    merged = Catalogue.build(entities.values(), aliases, base.people)
    merged.vocabulary = base.vocabulary
    merged.collisions.extend([*base.collisions, *collisions])
    merged.problems.extend(problems)
    return merged


def _layer_entities(base: Catalogue, layer: CatalogueLayer, problems: list[str]) -> dict[str, Entity]:
    """The seed entities, the database's own (seeds win on the same id), and the moves applied to them."""
    entities = dict(base.entities)
    for stored in layer.entities:
        entities.setdefault(stored.entity.id, stored.entity)
    for move in layer.moves:
        player = entities.get(move.entity_id)
        if player is None or (move.club_id is not None and move.club_id not in entities):
            problems.append(f"database: a move of {move.entity_id} to {move.club_id} names an unknown entity")
            continue
        entities[player.id] = replace(player, club_id=move.club_id, as_of=move.as_of)
    return entities


def _downgrade_reason(
    entity: Entity, folded: str, shared: bool, common_words: frozenset[str], people: set[str]
) -> str:
    """Why a trusted alias must be weakened, as the seed loader would ("" when it keeps its trust)."""
    if shared:
        return "shared"
    if entity.kind is EntityKind.PLAYER and folded in common_words:
        return "common word"
    if entity.kind is EntityKind.PLAYER and folded in people:
        return "also a non-player name"
    return ""
