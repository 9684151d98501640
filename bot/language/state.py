"""What one reading has learnt so far: evidence per (player, club) pair, and what each player's clubs are."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.language import cues as cue
from bot.language.clauses import Clause
from bot.language.context import Context, Hit
from bot.language.roles import names_unknown_player
from bot.models import Deal, Stage
from bot.models.sources import Source

__all__ = [
    "PairEvidence",
    "State",
    "add_evidence",
    "claim_deals",
    "own_clubs",
    "pair_evidence",
    "pick_deal",
    "rejection_objects",
]


@dataclass(slots=True)
class PairEvidence:
    """What the text says about one (player, club) pair, accumulated clause by clause."""

    stages: list[Stage] = field(default_factory=list)
    deals: list[Deal] = field(default_factory=list)
    fee: str | None = None
    negated: bool = False
    rejected: bool = False
    source: Source | None = None
    order: int = 0
    claims: set[int] = field(default_factory=set)
    hits: list[Hit] = field(default_factory=list)  # the wordings that made and shaped the pair
    stay_stages: list[Stage] = field(default_factory=list)  # stages told in clauses about a new contract
    club: str = ""  # the club of the pair
    player: str = ""  # the player of the pair


@dataclass(slots=True)
class State:
    """What one extraction run has learnt so far."""

    evidence: dict[tuple[str, str], PairEvidence] = field(default_factory=dict)
    from_text: dict[str, str] = field(default_factory=dict)  # player → club the text says he is at / leaves
    sellers: dict[str, str] = field(default_factory=dict)  # player → club negotiated with (the seller)
    loan_hosts: dict[str, set[str]] = field(default_factory=dict)
    deferred: list[tuple[int, str, str, Clause]] = field(default_factory=list)
    # claim, player, clubs concerned (empty: all), deal types concerned (empty: all), negative stage
    negations: list[tuple[int, str, frozenset[str], frozenset[Deal], Stage]] = field(default_factory=list)
    last_group: list[str] = field(default_factory=list)  # players of the last clause naming any, in order
    came_from: dict[str, set[str]] = field(default_factory=dict)  # "joined from X", "his deal at X": not a suitor
    clauses: list[tuple[int, Clause]] = field(default_factory=list)  # every clause, with its claim
    # clause start → the players and clubs it names
    mentioned: dict[int, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    player_only: list[tuple[int, str, Clause]] = field(default_factory=list)
    # (number of clauses when worked out, the clauses with deal cues): see ``claim_deals``
    deal_clauses: tuple[int, list[tuple[int, Clause]]] | None = None
    moving: tuple[object, list[tuple[str, str, set[int]]]] | None = None  # (what it depends on, moving_pairs)
    claim_players: list[str] | None = None  # in a digest, the players the current claim names
    last_move: tuple[str, str, Clause] | None = None  # the last pair read that is a move: player, club, clause


def pair_evidence(state: State, player_id: str, club_id: str) -> PairEvidence:
    """The evidence of a pair, created (in order of first evidence) when new."""
    ev = state.evidence.get((player_id, club_id))
    if ev is None:
        ev = PairEvidence(order=len(state.evidence), club=club_id, player=player_id)
        state.evidence[(player_id, club_id)] = ev
    return ev


def add_evidence(ctx: Context, ev: PairEvidence, clause: Clause, extra: Sequence[Hit] = ()) -> None:
    """Add one clause's stage, negation, deal and fee cues to a pair's evidence."""
    start, end = clause.start, clause.end
    hits = cue.stage_hits(ctx, start, end, title=clause.title)
    denied, collapsed, rejected, negation_hits = cue.negations(ctx, start, end)
    if rejected and _rejects_another_club(ctx, negation_hits, ev.club):
        rejected = False  # "rejects Manchester City and signs new Forest deal": Forest is not rejected
        negation_hits = [hit for hit in negation_hits if ctx.lang.wordings.by_id[hit[0]].value != "rejected"]
    positive = [stage for stage, _hit in hits]
    ev.hits.extend(hit for _stage, hit in hits)
    ev.hits.extend(negation_hits)
    ev.hits.extend(extra)
    offer = cue.offer_hit(ctx, start, end) if rejected else None
    if offer is not None:
        ev.rejected = True  # a turned-down bid is still a bid: the rumour lives on
        positive.append(Stage.CONTACT if offer[0].startswith("approach") else Stage.BID)
        ev.hits.append(offer[1])
    elif rejected and _seller_rejects(ctx, ev, start, negation_hits):
        ev.rejected = True  # "Juve say no to PSG for Bremer": his club turned a suitor down, who may return
        positive.append(Stage.CONTACT)
    elif rejected:
        denied = True  # "X rejected a move to Y": the player said no
    if collapsed:
        ev.negated = True
        positive.append(Stage.COLLAPSED)
    elif denied:
        ev.negated = True
        positive.append(Stage.DENIED)
    ev.stages.extend(positive)
    deals = cue.deal_cues(ctx, start, end)
    if any(deal is Deal.EXTENSION for _pos, deal, _hit in deals):
        ev.stay_stages.extend(positive)
    for _pos, deal, hit in deals:
        if deal not in ev.deals:
            ev.deals.append(deal)
            ev.hits.append(hit)
    if ev.fee is None:
        fees = ctx.memo.get(("fees", start, end))
        if fees is None:  # once per clause, not once per pair of it
            fees = ctx.memo[("fees", start, end)] = cue.fees(ctx.original(start, end), ctx.lang)
        if fees:
            ev.fee = fees[0]


def _rejects_another_club(ctx: Context, negation_hits: list[Hit], club_id: str) -> bool:
    """True when every rejection of the clause is followed by the club it rejects, and it is another one."""
    objects = rejection_objects(ctx, negation_hits)
    return bool(objects) and club_id not in (objects or ())


def _seller_rejects(ctx: Context, ev: PairEvidence, start: int, negation_hits: list[Hit]) -> bool:
    """True when the player's own club is named before the clause's rejection (the seller says no)."""
    first = min((s for wording, s, _e in negation_hits if ctx.lang.wordings.by_id[wording].value == "rejected"),
                default=start)
    own = own_club_of(ctx, ev.player)
    return own is not None and any(m.entity_id == own for _s, _e, m in ctx.within(start, first))


def own_club_of(ctx: Context, player_id: str) -> str | None:
    """The player's club in the catalogue."""
    entity = ctx.entity(player_id) if player_id else None
    return entity.club_id if entity is not None else None


def rejection_objects(ctx: Context, negation_hits: list[Hit]) -> list[str] | None:
    """The clubs named right after the clause's rejections ("rejects Manchester City"); None when a
    rejection is followed by no club."""
    objects = []
    for wording, _start, end in negation_hits:
        if ctx.lang.wordings.by_id[wording].value != "rejected":
            continue
        named = [m.entity_id for s, _e, m in ctx.within(end, end + 4) if not ctx.folded[end:s].strip(" ")]
        if not named:
            return None
        objects.append(named[0])
    return objects


def negate(ev: PairEvidence, stage: Stage) -> None:
    """Mark a pair denied or collapsed."""
    ev.negated = True
    ev.stages.append(stage)


def current_club(ctx: Context, state: State, player_id: str) -> str | None:
    """The club the text or the catalogue says the player is at."""
    entity = ctx.entity(player_id)
    return state.from_text.get(player_id) or (entity.club_id if entity is not None else None)


def own_clubs(ctx: Context, state: State, player_id: str) -> tuple[str | None, set[str | None]]:
    """The club a player would leave, and the clubs that cannot be his suitors."""
    player = ctx.entity(player_id)
    current = player.club_id if player is not None else None
    from_club = state.from_text.get(player_id, current)
    seller = state.sellers.get(player_id)
    # When the text names a different selling club, the catalogue may already show the move
    # ("Lookman, Atlético" after his transfer), so the catalogue club may be the buyer.
    own = {from_club} if seller is not None and seller != current else {current, from_club}
    return from_club, own


def moving_pairs(ctx: Context, state: State) -> list[tuple[str, str, set[int]]]:
    """The pairs that are moves (or extensions), not a player's own club: (player, club, claims)."""
    return [
        (p, c, ev.claims)
        for (p, c), ev in state.evidence.items()
        if Deal.EXTENSION in ev.deals or c not in own_clubs(ctx, state, p)[1]
    ]


def claim_deals(ctx: Context, state: State, player_id: str, club_id: str, ev: PairEvidence) -> list[tuple[Deal, Hit]]:
    """Deal cues of the pair's claims in clauses that speak for its move, for pairs with none (or a bare loan).

    "Zirkzee to Roma, here we go. United accepted a loan with an obligation to buy": the deal type is
    often told in a sentence of its own. A clause speaks for the move when it names (or describes)
    the player and no other player on the move; or, when the pair is the only move of the claim,
    when it names no other club than the two of the move and his own ("The agreement includes a buy
    option", "United accept €30m, a permanent deal", "Roma are pushing for a loan").
    """
    found: list[tuple[Deal, Hit]] = []
    single_player = len({p for p, _c in state.evidence}) == 1 and len(ctx.player_ids) == 1
    # Per claim of the pair: the moving pairs and their players, worked out once (not once per clause:
    # that made a long item quadratic in its clauses).
    moving: dict[int, list[tuple[str, str]]] = {claim_index: [] for claim_index in ev.claims}
    for p, c, claims in _moving_now(ctx, state):
        for claim_index in claims & ev.claims:
            moving[claim_index].append((p, c))
    movers = {claim_index: {p for p, _c in pairs} for claim_index, pairs in moving.items()}
    own = own_clubs(ctx, state, player_id)[1] | {club_id}
    for claim_index, clause in _deal_clauses(ctx, state):
        if claim_index not in ev.claims or not _speaks_for(ctx, state, clause, moving[claim_index],
                                                          movers[claim_index], player_id, club_id, own, single_player):
            continue
        for _pos, deal, hit in cue.deal_cues(ctx, clause.start, clause.end):
            if deal not in [d for d, _h in found]:
                found.append((deal, hit))
    return found


def _moving_now(ctx: Context, state: State) -> list[tuple[str, str, set[int]]]:
    """``moving_pairs``, worked out again only when what it depends on has changed (it is asked once per pair)."""
    key = (
        len(state.from_text), len(state.sellers), tuple(Deal.EXTENSION in ev.deals for ev in state.evidence.values())
    )
    if state.moving is None or state.moving[0] != key:
        state.moving = (key, moving_pairs(ctx, state))
    return state.moving[1]


def _deal_clauses(ctx: Context, state: State) -> list[tuple[int, Clause]]:
    """The clauses (with their claims) that have deal cues: the only ones ``claim_deals`` can take from."""
    if state.deal_clauses is None or state.deal_clauses[0] != len(state.clauses):
        with_deals = [(i, clause) for i, clause in state.clauses if cue.deal_cues(ctx, clause.start, clause.end)]
        state.deal_clauses = (len(state.clauses), with_deals)
    return state.deal_clauses[1]


def _speaks_for(
    ctx: Context, state: State, clause: Clause, moving: list[tuple[str, str]], movers: set[str],
    player_id: str, club_id: str, own: set[str | None], single_player: bool,
) -> bool:
    players, clubs = state.mentioned.get(clause.start, (frozenset(), frozenset()))
    if (players - {player_id}) & movers:
        return False  # another player's deal
    if player_id in players or (club_id in clubs and single_player):
        return True
    return (
        moving == [(player_id, club_id)]
        and clubs <= own
        and bool(cue.deal_cues(ctx, clause.start, clause.end))
        and not names_unknown_player(ctx, clause)
    )


def pick_deal(deals: Sequence[Deal]) -> Deal | None:
    """The first deal type mentioned, refined when a later cue specifies it ("loan" → "loan with option" →
    "obligation")."""
    if not deals:
        return None
    first = deals[0]
    if first is Deal.LOAN:
        return next((d for d in deals if d in cue.BUY_AFTER_LOAN), first)
    if first is Deal.LOAN_OPTION and Deal.LOAN_OBLIGATION in deals:
        return Deal.LOAN_OBLIGATION  # "a loan-to-buy … the obligation becomes mandatory if": the specific one
    return first
