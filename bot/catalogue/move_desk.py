"""The operator's side of moves: list the log and the review queue, approve, reject, undo, and a player's record.

`mercato catalogue moves|approve|reject|undo|player` call these (``bot.catalogue_cli`` only parses and
prints). Every change goes through ``bot.storage.moves`` in one transaction and bumps the change
count that a running bot checks at each poll, so it follows without a restart.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.errors import InvalidInput, NotFound
from bot.models import EntityKind

if TYPE_CHECKING:
    from bot.catalogue.operator import CatalogueOperator
    from bot.storage.moves import LoggedMove

_ORIGINS = {"seed": "seeds", "operator": "operator", "learned": "news (a provisional player)",
            "provisional": "news (a provisional player)"}


class MoveDesk:
    """Reviews and corrects the move log against one database."""

    def __init__(self, operator: CatalogueOperator) -> None:
        self.operator = operator
        self.storage = operator.storage

    def _club(self, club_id: str | None) -> str | None:
        club = self.operator.catalogue.find(club_id) if club_id else None
        return club.name if club else club_id

    def _player(self, player_id: str) -> str:
        player = self.operator.catalogue.find(player_id)
        return player.name if player else player_id

    def view(self, move: LoggedMove) -> dict[str, Any]:
        """One logged move as plain data (the JSON of `moves --json`)."""
        current = self.operator.catalogue.find(move.player_id)
        before = move.prev_club_id if move.status in ("applied", "undone") else (current.club_id if current else None)
        return {
            "id": move.id,
            "status": move.status,
            "player": self._player(move.player_id),
            "player_id": move.player_id,
            "from": self._club(before),
            "to": self._club(move.to_club_id),
            "loan_from": self._club(move.loan_from),
            "deal": move.deal,
            "effective": move.effective,
            "origin": move.origin,
            "evidence": self._evidence(move),
            "created_at": move.created_at.isoformat(),
            "decided_at": move.decided_at.isoformat() if move.decided_at else None,
        }

    @staticmethod
    def _evidence(move: LoggedMove) -> dict[str, Any]:
        evidence: dict[str, Any] = {"move": move.id, "origin": move.origin}
        if move.story_id is not None:
            evidence.update(story=move.story_id, rule=move.rule, outlets=list(move.outlets))
        if move.note:
            evidence["note"] = move.note
        return evidence

    @staticmethod
    def line(view: dict[str, Any]) -> str:
        """One readable line of a move view."""
        loan = f" on loan from {view['loan_from']}" if view["loan_from"] else ""
        evidence = view["evidence"]
        why = view["origin"]
        if "story" in evidence:
            why += f", rule {evidence['rule']}: {', '.join(evidence['outlets'])}; story {evidence['story']}"
        elif "note" in evidence:
            why += f": {evidence['note']}"
        return (f"#{view['id']} {view['status']:<8} {view['effective']}  {view['player']}: "
                f"{view['from'] or 'no club'} -> {view['to'] or 'no club'}{loan}  ({why})")

    async def listing(self, *, pending_only: bool, limit: int) -> list[dict[str, Any]]:
        """The newest logged moves (or only the queue), as views."""
        return [self.view(m) for m in await self.storage.moves.listing(pending_only=pending_only, limit=limit)]

    async def _move(self, move_id: int) -> LoggedMove:
        move = await self.storage.moves.get(move_id)
        if move is None:
            raise NotFound(f"No move #{move_id}; `mercato catalogue moves` lists them.")
        return move

    async def approve(self, move_id: int, *, now: datetime) -> str:
        """Apply a queued move."""
        move = await self._move(move_id)
        if move.status != "pending":
            raise InvalidInput(f"Move #{move_id} is {move.status}, not pending; only a queued move can be approved.")
        player = self.operator.catalogue.find(move.player_id)
        if player is None or (move.to_club_id and move.to_club_id not in self.operator.catalogue.entities):
            raise InvalidInput(f"Move #{move_id} names a player or club the catalogue no longer holds; reject it.")
        if player.club_id == move.to_club_id:
            raise InvalidInput(f"{player.name} is already at {self._club(move.to_club_id)}; reject #{move_id}.")
        before = self._club(player.club_id) or "no club"
        await self.storage.moves.approve(move_id, now=now)
        await self.operator.refresh()
        return f"Approved move #{move_id}: {player.name} from {before} to {self._club(move.to_club_id)}."

    async def reject(self, move_id: int, *, now: datetime) -> str:
        """Drop a queued move (it stays in the log as rejected; the story will not propose it again)."""
        move = await self._move(move_id)
        if not await self.storage.moves.reject(move_id, now=now):
            raise InvalidInput(f"Move #{move_id} is {move.status}, not pending; an applied move is undone instead.")
        return f"Rejected move #{move_id}: {self._player(move.player_id)} stays where he is."

    async def undo(self, move_id: int, *, now: datetime) -> str:
        """Put the player back at the club he had before an applied move (only his latest move can be undone)."""
        move = await self._move(move_id)
        if move.status != "applied":
            raise InvalidInput(f"Move #{move_id} is {move.status}; only an applied move can be undone.")
        later = [m.id for m in await self.storage.moves.history(move.player_id) if m.status == "applied" and
                 m.id > move.id]
        player = self.operator.catalogue.find(move.player_id)
        if later or player is None or player.club_id != move.to_club_id:
            hint = f" undo #{later[-1]} first" if later else " nothing to undo"
            raise InvalidInput(f"{self._player(move.player_id)} has moved since move #{move_id};{hint}.")
        await self.storage.moves.undo(move_id, now=now)
        await self.operator.refresh()
        back = self._club(move.prev_club_id) or "no club"
        return f"Undid move #{move_id}: {player.name} is back at {back}."

    async def player(self, ref: str) -> dict[str, Any]:
        """A player's record: name, club, loan parent, aliases and the history of his clubs with evidence."""
        player = self.operator.find(ref, EntityKind.PLAYER)
        catalogue = self.operator.catalogue
        applied = [m for m in await self.storage.moves.history(player.id) if m.status == "applied"]
        source = await self.storage.entities.source_of(player.id) or "seed"
        first_club = applied[0].prev_club_id if applied else player.club_id
        first_date = (applied[0].prev_as_of if applied else player.as_of) or None
        origin = {"origin": _ORIGINS.get(source, source)}
        history: list[dict[str, Any]] = [{"club": self._club(first_club), "from_date": first_date, "evidence": origin}]
        for move in applied:
            entry: dict[str, Any] = {"club": self._club(move.to_club_id), "from_date": move.effective,
                                     "evidence": self._evidence(move)}
            if move.loan_from:
                entry["loan_from"] = self._club(move.loan_from)
            history.append(entry)
        return {
            "name": player.name,
            "club": self._club(player.club_id),
            "loan_from": self._club(await self.storage.moves.loan_parent(player.id)),
            "aliases": list(dict.fromkeys(a.text for a in catalogue.aliases_of(player.id))),
            "history": history,
        }
