"""Moves read against each other: two moves in one sentence, and a move the catalogue already records.

- "…, with João Mário heading in the opposite direction": the second player goes where the first comes
  from (``opposite`` wordings);
- "agreed fees with Celtic for Engels and with Porto for Varela": a club named next to another player
  as his is not this player's suitor;
- "Semenyo is having a medical at Manchester City ahead of his move from Bournemouth": when the seeds
  already show him at City, City is still the destination the text reports.
"""

from __future__ import annotations

from bot.language.citations import LazySource
from bot.language.clauses import Clause
from bot.language.context import Context
from bot.language.state import PairEvidence, State, add_evidence, current_club, own_clubs, pair_evidence
from bot.models import Deal, Stage, highest_stage

__all__ = ["club_of_another", "moved_in_catalogue", "the_other_way"]

TIE_GAP = 30  # how close a club is named to a player to be named as his ("Fiorentina striker Moise Kean")


def the_other_way(
    ctx: Context, state: State, clause: Clause, claim_index: int, source: LazySource, player_ids: list[str]
) -> bool:
    """"…, with João Mário heading in the opposite direction": he goes where the last mover comes from,
    and comes from where that mover goes (with the same stage). True when the clause was read so."""
    cues = ctx.lang.cues("opposite")
    found = ctx.lang.search(cues, ctx.cues[clause.start : clause.end])
    if found is None or state.last_move is None or state.last_move[0] in player_ids:
        return False
    mover, destination, move_clause = state.last_move
    origin = own_clubs(ctx, state, mover)[0]
    if origin is None or origin == destination:
        return False
    hit = (cues.wording(found).id, clause.start + found.start(), clause.start + found.end())
    for player_id in player_ids:
        state.from_text.setdefault(player_id, destination)
        ev = pair_evidence(state, player_id, origin)
        ev.claims.add(claim_index)
        add_evidence(ctx, ev, move_clause)
        add_evidence(ctx, ev, clause, [hit])
        if ev.source is None:
            ev.source = source.get()
    return True


def club_of_another(
    ctx: Context, state: State, clause: Clause, club_id: str, player_id: str, player_ids: list[str]
) -> bool:
    """True when the club is named as another player's club, next to him ("agreed fees with Celtic for
    Engels and with Porto for Varela": Porto is Varela's, not Engels' suitor). A swap links them both ways."""
    if len(player_ids) < 2 or club_id == current_club(ctx, state, player_id):
        return False
    named = ctx.within(clause.start, clause.end)
    clubs = [(s, e) for s, e, m in named if m.entity_id == club_id]
    for s, e, mention in named:
        other = mention.entity_id
        if other == player_id or other not in player_ids or current_club(ctx, state, other) != club_id:
            continue
        if any(0 <= s - c_end <= TIE_GAP or 0 <= c_start - e <= TIE_GAP for c_start, c_end in clubs):
            return True
    return False


def moved_in_catalogue(ctx: Context, state: State, player_id: str, club_id: str, ev: PairEvidence) -> bool:
    """True when the catalogue already shows the move the text reports: the player's catalogue club is
    the destination of talks or more, and the text names another club as his ("Semenyo is having a
    medical at Manchester City ahead of his move from Bournemouth")."""
    entity = ctx.entity(player_id)
    if entity is None or entity.club_id != club_id or Deal.EXTENSION in ev.deals:
        return False
    told = state.from_text.get(player_id)
    if told is None or told == club_id:
        return False
    stage = highest_stage(ev.stages) or Stage.INTEREST
    return stage.rank >= Stage.TALKS.rank and not stage.is_negative
