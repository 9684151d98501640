"""SQL for `mercato catalogue import`: a whole import plan written in ONE transaction, in batches.

A bad file is refused before anything is written (``bot.catalogue.csvfiles``); once the plan is made,
new players, their aliases, club changes (logged like every move, so they show in a player's history
and can be undone) and new aliases of known players go in together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

from bot.catalogue.normalize import norm
from bot.models import Alias, Entity
from bot.storage.db import Database, to_db
from bot.storage.entities import (
    DELETE_MOVE,
    INSERT_ALIAS,
    MIRROR_ALIAS,
    SAVE_ENTITY,
    SAVE_OPERATOR_ALIAS,
    relink_terms,
)
from bot.storage.moves import NewMove, bump_changes, log_applied

TERM_NORMS: Final = "SELECT DISTINCT term_norm FROM follows WHERE term_norm IS NOT NULL"


def _entity_row(entity: Entity) -> dict[str, object]:
    return {
        "id": entity.id, "kind": entity.kind.value, "name": entity.name, "club_id": entity.club_id,
        "country": entity.country, "league": entity.league, "position": entity.position, "as_of": entity.as_of,
        "provisional": 0, "source": "operator", "entity_id": entity.id,
    }


def _alias_row(alias: Alias, now: str) -> dict[str, str]:
    return {"entity_id": alias.entity_id, "alias": alias.text, "norm": norm(alias.text), "kind": alias.kind.value,
            "now": now}


class ImportStore:
    """Applies import plans."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def apply(
        self,
        *,
        players: Sequence[tuple[Entity, Sequence[Alias]]],
        moves: Sequence[NewMove],
        aliases: Sequence[Alias],
        now: datetime,
    ) -> int:
        """Add players (taking over provisional rows), log and apply moves, add aliases; return follows re-linked."""
        stamp = to_db(now)
        new_aliases = [_alias_row(a, stamp) for _, player_aliases in players for a in player_aliases]
        extra = [_alias_row(a, stamp) for a in aliases]
        async with self._db.transaction() as conn:
            await conn.executemany(SAVE_ENTITY, [_entity_row(e) for e, _ in players])
            await conn.executemany(DELETE_MOVE, [{"entity_id": e.id} for e, _ in players])
            await conn.executemany(INSERT_ALIAS, new_aliases)
            await log_applied(conn, moves, now=now)
            await conn.executemany(SAVE_OPERATOR_ALIAS, extra)
            await conn.executemany(MIRROR_ALIAS, extra)
            # Re-link only what some free-text follow can be waiting for (few terms; thousands of names).
            async with conn.execute(TERM_NORMS) as cursor:
                terms = {str(r[0]) for r in await cursor.fetchall()}
            waiting: dict[str, set[str]] = {}
            for row in (*new_aliases, *extra):
                if row["norm"] in terms:
                    waiting.setdefault(row["entity_id"], set()).add(row["norm"])
            relinked = 0
            for entity_id, norms in waiting.items():
                relinked += await relink_terms(conn, entity_id, norms)
            await bump_changes(conn)
        return relinked

