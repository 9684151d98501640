"""From a matched item to rumours: who (player) goes where (to club), how (deal), how far (stage).

The reader is rule-based and works sentence by sentence (clause by clause inside a sentence):

1. The Document's sentences are grouped into *claims* (a gossip digest's "(Outlet)"-ended runs).
2. Players are the catalogue mentions plus descriptions that refer back to one (``references``).
3. A club is a *suitor* of a player only in a clause with a transfer cue and only when nothing marks
   it as something else (``roles``): his current club, a former club, an opponent, a loan host.
4. Stage, deal type, fee and negation come from the cues of the clauses that link the pair
   (``cues``); the source is what that sentence cites, else what the claim cites, else the feed.
5. Clauses that name only one side refine pairs found elsewhere in the same claim; a seller's
   refusal negates all his pairs (of that deal type); a new contract with no club named is with his
   own club.
6. Background is blanked before cues are read ("joined from Metz in 2021"); players named only in
   relation to the subject ("a replacement for X") are companions (``companions``).

Every phrase the rules react to is a wording in ``seeds/wordings/<language>/``; each rumour carries
the wordings and spans that produced it (``Rumour.evidence``). Pure: never imports ``discord``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from bot.language import cues as cue
from bot.language.citations import LazySource
from bot.language.clauses import Clause, claims, split_clauses, split_coordinated, split_relatives
from bot.language.companions import after_companion, find_companions
from bot.language.context import CatalogueLike, Context, Hit, is_club, is_player
from bot.language.document import Document
from bot.language.lines import listed_links, speaks_of_unnamed, topic_of
from bot.language.moves import club_of_another, moved_in_catalogue, the_other_way
from bot.language.pack import pack_for
from bot.language.references import Ref, player_refs
from bot.language.roles import club_roles, names_unknown_player, to_constructs
from bot.language.state import (
    PairEvidence,
    State,
    add_evidence,
    claim_deals,
    current_club,
    negate,
    own_clubs,
    pair_evidence,
    pick_deal,
    rejection_objects,
)
from bot.language.voice import club_voice_mentions
from bot.models import Deal, Evidence, MatchResult, Mention, Rumour, Stage, highest_stage
from bot.models.sources import Source

if TYPE_CHECKING:  # bot.sources imports the language layer: a runtime import would be a cycle
    from bot.sources import SourceDirectory

__all__ = ["document_of", "extract_rumours"]

_BUYING_DEALS = (Deal.PERMANENT, Deal.LOAN_OPTION, Deal.LOAN_OBLIGATION)


def document_of(match: MatchResult) -> Document:
    """The Document the matcher read (or one made from the match's text)."""
    doc = match.document
    if isinstance(doc, Document) and doc.text == match.text:
        return doc
    return Document.of_text(match.text)


def extract_rumours(
    match: MatchResult,
    catalogue: CatalogueLike,
    *,
    sources: SourceDirectory,
    feed_source: Source | None = None,
) -> list[Rumour]:
    """The rumours an item carries: one per (player, to-club) pair, in order of first evidence."""
    doc = document_of(match)
    ctx = Context(doc, pack_for(doc.language, doc.seeds), catalogue, list(match.mentions))
    voice = club_voice_mentions(ctx, feed_source)  # "The Club is delighted …" on the club's own feed
    if voice:
        ctx.mentions = sorted([*ctx.mentions, *voice], key=lambda m: m.start)
    ctx.index_spans()
    ctx.companions = find_companions(ctx)
    # A player named only as someone else's replacement, partner or brother is not in the item's cast.
    ctx.player_ids = list(
        dict.fromkeys(
            m.entity_id for m in match.mentions if is_player(m.entity_id) and ctx.fspan(m)[0] not in ctx.companions
        )
    )
    if not ctx.player_ids:
        return []
    ctx.cues, ctx.past = cue.mask_history(ctx)
    state = State()
    _read_claims(ctx, state, sources)
    _refine(ctx, state)
    rumours: list[Rumour] = []
    for (player_id, club_id), ev in sorted(state.evidence.items(), key=lambda item: item[1].order):
        _complete_deals(ctx, state, player_id, club_id, ev)
        rumour = _build(ctx, state, player_id, club_id, ev, feed_source)
        if rumour is not None:
            rumours.append(rumour)
    return rumours


def _read_claims(ctx: Context, state: State, sources: SourceDirectory) -> None:
    doc = ctx.doc
    sentences = doc.sentences
    grouped = claims(ctx, sources)
    for claim_index, claim in enumerate(grouped):
        first, last = sentences[claim[0]], sentences[claim[-1]]
        claim_source = LazySource(sources, doc, first[0], last[1], None)
        # In a digest every claim stands alone: a clause naming no player is about its claim's player.
        state.claim_players = _claim_players(ctx, first[0], last[1]) if len(grouped) > 1 else None
        ends_clean = [position == len(claim) - 1 or _ends_sentence(doc.text, sentences[i]) for position, i in
                      enumerate(claim)]
        recent: list[str] = []  # players of this claim, most recent last
        state.last_group = []
        for position, sentence_index in enumerate(claim):
            o_start, o_end = sentences[sentence_index]
            clean = ends_clean[position] and (position == 0 or ends_clean[position - 1])
            source = LazySource(sources, doc, o_start, o_end, claim_source, clean=clean)
            carried: list[str] = []
            title = o_start < doc.title_end
            clauses = split_clauses(ctx, doc.to_folded(o_start), doc.to_folded(o_end), sentence_index, title=title)
            for clause in split_relatives(ctx, split_coordinated(ctx, clauses)):
                state.clauses.append((claim_index, clause))
                carried = _read_clause(ctx, state, clause, claim_index, recent, source, carried)


def _claim_players(ctx: Context, o_start: int, o_end: int) -> list[str]:
    start, end = ctx.doc.to_folded(o_start), ctx.doc.to_folded(o_end)
    return list(dict.fromkeys(
        m.entity_id for s, _e, m in ctx.within(start, end) if is_player(m.entity_id) and s not in ctx.companions
    ))


def _ends_sentence(text: str, span: tuple[int, int]) -> bool:
    return span[1] > span[0] and text[span[1] - 1] in ".!?)\"'’”"


def _refine(ctx: Context, state: State) -> None:
    """Clauses that name one side only refine pairs established elsewhere in their claim."""
    for claim_index, player_id, club_id, clause in state.deferred:
        known = state.evidence.get((player_id, club_id))
        if known is not None and claim_index in known.claims:
            add_evidence(ctx, known, clause)
    # Clauses about a player but no club refine that player's only pair in the claim
    # ("Milan agree fee for X. The Romanian will undergo medical tests on Wednesday.").
    for claim_index, player_id, clause in state.player_only:
        own_clubs_of = own_clubs(ctx, state, player_id)[1]
        own = [
            ev
            for (p, c), ev in state.evidence.items()
            if p == player_id and claim_index in ev.claims and (c not in own_clubs_of or Deal.EXTENSION in ev.deals)
        ]
        if len(own) == 1:
            add_evidence(ctx, own[0], clause)
    for claim_index, player_id, club_ids, deals, negation in state.negations:
        for (p, c), ev in state.evidence.items():
            if p != player_id or claim_index not in ev.claims or (club_ids and c not in club_ids):
                continue
            if deals and not deals & set(ev.deals or [d for d, _h in claim_deals(ctx, state, p, c, ev)]):
                continue  # "no intention of selling him permanently" leaves the loan talks alone
            negate(ev, negation)


def _complete_deals(ctx: Context, state: State, player_id: str, club_id: str, ev: PairEvidence) -> None:
    """A deal type told a sentence away from the move completes the pair's."""
    if not ev.deals:
        found = claim_deals(ctx, state, player_id, club_id, ev)
        ev.deals = [deal for deal, _hit in found]
        ev.hits.extend(hit for _deal, hit in found)
    elif pick_deal(ev.deals) in (Deal.LOAN, Deal.LOAN_OPTION):
        # "close to a loan for X. The agreement includes a buy option": the structure is
        # often completed a sentence later.
        for deal, hit in claim_deals(ctx, state, player_id, club_id, ev):
            if deal in cue.BUY_AFTER_LOAN and deal not in ev.deals:
                ev.deals.append(deal)
                ev.hits.append(hit)


def _read_clause(
    ctx: Context, state: State, clause: Clause, claim_index: int, recent: list[str], source: LazySource,
    carried: list[str],
) -> list[str]:
    """Collect the evidence of one clause; return the suitors a following clause may inherit."""
    refs, described_from = player_refs(ctx, clause, recent, ctx.player_ids, state.last_group)
    clubs = [m for _s, _e, m in ctx.within(clause.start, clause.end) if is_club(m.entity_id)]
    if not refs and not clubs:
        # Nobody named or described: the clause can only deny or end pairs found elsewhere in the
        # claim ("There is no truth in the reports"). Skip the cue battery unless it does.
        return _read_empty_clause(ctx, state, clause, claim_index, recent, carried)
    # With one player in the item (or line, or digest claim), "The club will pay Manchester United €30m"
    # is about him too, unless the clause names a footballer the catalogue lacks ("Rangers want to sign
    # Kacper Nowicki") or one it does not name ("Arsenal eye a winger").
    topic = [] if refs or names_unknown_player(ctx, clause) else _topic(ctx, state, clause)
    owners = refs or [Ref(player_id, clause.start, clause.start, explicit=False) for player_id in topic]
    suitors = _suitors(ctx, state, clause, clubs, refs, owners, described_from)
    player_ids = list(dict.fromkeys(r.player_id for r in refs))
    state.mentioned[clause.start] = (frozenset(player_ids), frozenset(m.entity_id for m in clubs))
    if player_ids:
        state.last_group = player_ids
    to_pairs = [*to_constructs(ctx, refs, clubs), *listed_links(ctx, clubs)]
    recent.extend(player_ids)
    return _link(ctx, state, clause, claim_index, recent, source, carried, player_ids, suitors, to_pairs,
                 clubs, topic)


def _topic(ctx: Context, state: State, clause: Clause) -> list[str]:
    o_start, o_end = ctx.doc.sentences[clause.sentence]
    return topic_of(ctx, ctx.doc.to_folded(o_start), ctx.doc.to_folded(o_end), state.claim_players)


def _suitors(
    ctx: Context, state: State, clause: Clause, clubs: list[Mention], refs: list[Ref], owners: list[Ref],
    described_from: list[tuple[str, str]],
) -> list[str]:
    """The clause's suitors, after recording what its other clubs are to the players."""
    roles = club_roles(ctx, clause, clubs, owners)
    # A club named in the player's past ("left the Werkself for Bayern in 2025") is history: it says
    # neither which club is his now nor which is no suitor of his.
    past = {m.entity_id for m in clubs if any(a <= ctx.fspan(m)[0] < b for a, b in ctx.past)}
    if past:
        roles.from_pairs = [(p, c) for p, c in roles.from_pairs if c not in past]
        roles.weak_from = [(p, c) for p, c in roles.weak_from if c not in past]
    for player_id, club_id in [*described_from, *roles.from_pairs]:
        state.from_text.setdefault(player_id, club_id)
    for player_id, club_id in roles.weak_from:
        state.came_from.setdefault(player_id, set()).add(club_id)
        entity = ctx.entity(player_id)
        if entity is None or entity.club_id is None:
            state.from_text.setdefault(player_id, club_id)
    for player_id, club_id in roles.sellers:
        state.sellers.setdefault(player_id, club_id)
        state.from_text.setdefault(player_id, club_id)
    for club_id in roles.loan_hosts:
        for ref in refs:
            state.loan_hosts.setdefault(ref.player_id, set()).add(club_id)
    for mention in clubs:
        start = ctx.fspan(mention)[0]
        if ctx.companions and after_companion(ctx, start, clause.start):
            roles.excluded.add(mention.entity_id)  # the companion's club, not the subject's suitor
        if any(a <= start < b for a, b in ctx.past):
            # a club named in the player's past ("who joined from VfB Stuttgart in 2021") is no suitor
            # here; it may still be one elsewhere ("close to joining City a year ago … City want him")
            roles.excluded.add(mention.entity_id)
    return [c for c in roles.suitors if c not in roles.excluded]


class _Cues(NamedTuple):
    """The cues of one clause."""

    stage_hits: list[cue.StageHit]
    deals: list[tuple[int, Deal, Hit]]
    weak: Hit | None
    denied: bool
    collapsed: bool
    rejected: bool
    negation_hits: list[Hit]

    @property
    def transfer(self) -> bool:
        """True when the clause carries transfer vocabulary (a stage, a deal type or a generic word)."""
        return bool(self.stage_hits or self.deals or self.weak is not None)


def _clause_cues(ctx: Context, clause: Clause) -> _Cues:
    start, end = clause.start, clause.end
    stage_hits = cue.stage_hits(ctx, start, end, title=clause.title)
    deals = cue.deal_cues(ctx, start, end)
    weak = None if stage_hits or deals else cue.weak_cue(ctx, start, end)
    denied, collapsed, rejected, hits = cue.negations(ctx, start, end)
    if weak is None and not stage_hits and not deals:
        # "there has been no contact with Arsenal": a denial worded before its club names the move it denies
        weak = next((hit for hit in hits if ctx.lang.wordings.by_id[hit[0]].direction == "before"), None)
    return _Cues(stage_hits, deals, weak, denied, collapsed, rejected, hits)


def _link(
    ctx: Context, state: State, clause: Clause, claim_index: int, recent: list[str], source: LazySource,
    carried: list[str], player_ids: list[str], suitors: list[str], to_pairs: list[tuple[str, str, Hit]],
    clubs: list[Mention], topic: list[str],
) -> list[str]:
    """Turn one clause's players and suitors into pairs (or deferred refinements, or negations)."""
    found = _clause_cues(ctx, clause)
    if player_ids and not suitors and the_other_way(ctx, state, clause, claim_index, source, player_ids):
        return carried
    # "Pau Cubarsí: …; Chelsea and Manchester City rebuffed", "Dybala has rejected Boca Juniors":
    # the clubs the player turned down are suitors, denied.
    refused = found.rejected and bool(suitors) and (
        (bool(topic) and not player_ids)
        or bool(set(rejection_objects(ctx, found.negation_hits) or ()) & set(suitors))
    )
    if not found.transfer and not to_pairs and not refused:
        # No transfer vocabulary: at most a denial about pairs found elsewhere in the claim
        # ("Spurs have no intention of selling him"), never a new pair.
        if found.denied or found.collapsed:
            negation = Stage.COLLAPSED if found.collapsed else Stage.DENIED
            for player_id in player_ids or recent[-1:]:
                state.negations.append((claim_index, player_id, frozenset(suitors), frozenset(), negation))
        return suitors or carried
    deniers = player_ids or topic
    rivals = [c for c in suitors if not any(c in own_clubs(ctx, state, p)[1] for p in deniers)]
    _seller_refuses(ctx, state, claim_index, carried, deniers, rivals, to_pairs, found)
    if player_ids and not suitors and not to_pairs:
        deal_kinds = frozenset(deal for _pos, deal, _hit in found.deals)
        suitors = _without_suitors(ctx, state, clause, claim_index, carried, player_ids, clubs, deal_kinds,
                                   found.denied or found.collapsed)
    stay = any(deal is Deal.EXTENSION for _pos, deal, _hit in found.deals)
    if not player_ids and not to_pairs and topic and (found.stage_hits or found.deals) and not rivals and not stay:
        # "First talks held with Chelsea about a loan", "Birmingham have accepted a bid": no suitor
        # named, the line's player's move goes on
        state.player_only.extend((claim_index, player_id, clause) for player_id in topic)
    elif not player_ids and suitors:
        if (found.stage_hits or refused) and topic:
            player_ids = topic  # one player in the item (or line): "Roma are also interested" is about him
        elif recent:
            state.deferred.extend((claim_index, recent[-1], club_id, clause) for club_id in suitors)
    # A clause with no transfer word links only what its construction links ("Nisbet — Hibs, Motherwell").
    linked = suitors if found.transfer or refused else []
    swap = any(deal is Deal.SWAP for _pos, deal, _hit in found.deals)
    pairs: dict[tuple[str, str], list[Hit]] = {
        (p, c): []
        for p in player_ids
        for c in linked
        if swap or not club_of_another(ctx, state, clause, c, p, player_ids)
    }
    for player_id, club_id, link in to_pairs:
        pairs.setdefault((player_id, club_id), []).append(link)
    _record(ctx, state, clause, claim_index, source, pairs, found.weak)
    return _subjects(ctx, clause, suitors, found) or carried


def _seller_refuses(
    ctx: Context, state: State, claim_index: int, carried: list[str], deniers: list[str], rivals: list[str],
    to_pairs: list[tuple[str, str, Hit]], found: _Cues,
) -> None:
    """"Tottenham have no intention of selling the defender", "Manchester City will not sell": the seller
    says no to every suitor, or to every suitor of that kind of deal; a collapsed *extension* concerns
    his own club only."""
    moves = [link for link in to_pairs if link[1] not in own_clubs(ctx, state, link[0])[1]]
    if not deniers or rivals or moves or not (found.denied or found.collapsed) or carried:
        return
    deal_kinds = frozenset(deal for _pos, deal, _hit in found.deals)
    if Deal.EXTENSION in deal_kinds:
        return
    negation = Stage.COLLAPSED if found.collapsed else Stage.DENIED
    for player_id in deniers:
        state.negations.append((claim_index, player_id, frozenset(), deal_kinds, negation))


def _record(
    ctx: Context, state: State, clause: Clause, claim_index: int, source: LazySource,
    pairs: dict[tuple[str, str], list[Hit]], weak: Hit | None,
) -> None:
    for (player_id, club_id), links in pairs.items():
        ev = pair_evidence(state, player_id, club_id)
        ev.claims.add(claim_index)
        add_evidence(ctx, ev, clause, [*links, *([weak] if weak is not None else [])])
        if ev.source is None:
            ev.source = source.get()
        if club_id != own_clubs(ctx, state, player_id)[0]:
            state.last_move = (player_id, club_id, clause)  # where he goes is not where he comes from


def _subjects(ctx: Context, clause: Clause, suitors: list[str], found: _Cues) -> list[str]:
    """The suitors a following clause may inherit: those named before the clause's first transfer word
    (its subject: "Brentford have agreed to sell A to Atalanta and are in talks … over B" → Brentford)."""
    if len(suitors) < 2:
        return suitors
    named = ctx.within(clause.start, clause.end)
    if named and named[0][2].entity_id in suitors and not ctx.folded[clause.start : named[0][0]].strip():
        # The clause opens with its subject: "Napoli have accepted Al-Hilal's offer for A and want B"
        subject, cursor = [named[0][2].entity_id], named[0][1]
        joiner = ctx.lang.cues("list-join").pattern
        for s, e, mention in named[1:]:
            if mention.entity_id not in suitors or not joiner.fullmatch(ctx.folded, cursor, s):
                break
            subject.append(mention.entity_id)
            cursor = e
        return subject
    first = min([hit[1] for _stage, hit in found.stage_hits] + [hit[1] for _pos, _deal, hit in found.deals]
                + ([found.weak[1]] if found.weak is not None else []), default=None)
    if first is None:
        return suitors
    named_first = {m.entity_id for s, _e, m in named if s < first}
    return [c for c in suitors if c in named_first] or suitors


def _without_suitors(
    ctx: Context, state: State, clause: Clause, claim_index: int, carried: list[str], player_ids: list[str],
    clubs: list[Mention], deal_kinds: frozenset[Deal], negative: bool,
) -> list[str]:
    """Suitors for a clause that names players but no suitor: carried over, his own club, or none yet."""
    if carried:
        return carried  # "Milan have ruled out X, but remain keen on Y": the subject carries over
    if Deal.EXTENSION in deal_kinds and all(
        any(m.entity_id in own_clubs(ctx, state, p)[1] for p in player_ids) for m in clubs
    ):
        # "The French defender has signed a new deal until 2030", "will sign a new deal at Celtic
        # Park": a new contract with no other club named is with his own club.
        return [c for p in player_ids if (c := current_club(ctx, state, p)) is not None]
    if not negative:
        state.player_only.extend((claim_index, player_id, clause) for player_id in player_ids)
    return []


def _read_empty_clause(
    ctx: Context, state: State, clause: Clause, claim_index: int, recent: list[str], carried: list[str]
) -> list[str]:
    """``_read_clause`` for a clause that names no player and no club (the same outcome, fewer regexes)."""
    state.mentioned[clause.start] = (frozenset(), frozenset())
    denied, collapsed, _rejected, _hits = cue.negations(ctx, clause.start, clause.end)
    if not collapsed and not denied:
        if (
            recent
            and cue.stage_hits(ctx, clause.start, clause.end, title=clause.title)
            and not speaks_of_unnamed(ctx, clause.start, clause.end)  # not "a winger"
            and not names_unknown_player(ctx, clause)  # not "Tomas Novak"
        ):
            # "Josh Windass to Derby? Talks, not close.", "Done deal between the clubs for £32m.":
            # a stage told with nobody named is about the last player's only move.
            state.player_only.append((claim_index, recent[-1], clause))
        return carried
    linked = (
        bool(cue.stage_hits(ctx, clause.start, clause.end, title=clause.title))
        or bool(cue.deal_cues(ctx, clause.start, clause.end))
        or cue.weak_cue(ctx, clause.start, clause.end) is not None
    )
    if not linked:
        negation = Stage.COLLAPSED if collapsed else Stage.DENIED
        # "Galatasaray also enquired but have since pulled out": the subject carried over is who pulled out;
        # with none, the negation ends every move of the last player named.
        clubs = frozenset(carried)
        for player_id in recent[-1:]:
            state.negations.append((claim_index, player_id, clubs, frozenset(), negation))
    elif recent:
        # "no offer has been received and Adam is not for sale": it ends the last player's only move
        state.player_only.append((claim_index, recent[-1], clause))
    return carried


def _build(
    ctx: Context, state: State, player_id: str, club_id: str, ev: PairEvidence, feed_source: Source | None
) -> Rumour | None:
    """Turn a pair's evidence into a Rumour, or None when the club turns out not to be a suitor."""
    from_club, own = own_clubs(ctx, state, player_id)
    deal = pick_deal(ev.deals)
    is_stay = club_id in own and not moved_in_catalogue(ctx, state, player_id, club_id, ev)
    if is_stay:
        if Deal.EXTENSION not in ev.deals:
            return None  # the player's own club is never a suitor, except for a new contract
        deal = Deal.EXTENSION
    if not is_stay and deal is Deal.EXTENSION:
        if not ev.stages and not _linked(ctx, ev):
            return None  # "Alex Scott: Arsenal must give Mariona a new contract": a contract, no move of his
        deal = next((d for d in ev.deals if d is not Deal.EXTENSION), None)  # a rival's "new deal" is a move
    if club_id in state.came_from.get(player_id, set()) and deal is not Deal.EXTENSION:
        return None  # "who joined City from Milan": Milan is where he was, not where he goes
    if club_id in state.loan_hosts.get(player_id, set()) and deal not in _BUYING_DEALS:
        return None  # "on loan at Tottenham": where he plays now, not where he goes (unless it buys him)
    # A new contract at his own club is as far as the clauses about the contract say, not as far as
    # the rejected bids of other clubs went ("turned down Almería's offer … want to tie him down").
    stage = highest_stage(ev.stay_stages if is_stay and ev.stay_stages else ev.stages) or Stage.INTEREST
    if ev.negated and not stage.is_negative:
        stage = Stage.DENIED
    if is_stay and stage is Stage.DENIED:
        return None  # "have not opened talks over a new contract", "turned down a new contract": no move
    return Rumour(
        player_id=player_id,
        from_club_id=None if is_stay else from_club,
        to_club_id=club_id,
        stage=stage,
        deal=deal,
        fee=ev.fee,
        negated=ev.negated,
        rejected=ev.rejected,
        source=ev.source or feed_source,
        evidence=_evidence(ctx, ev.hits),
    )


def _linked(ctx: Context, ev: PairEvidence) -> bool:
    """True when a construction links the pair ("X to Y", a gossip list), not only the words of its clause."""
    by_id = ctx.lang.wordings.by_id
    return any(w in by_id and by_id[w].category in ("to-link", "suitor-list") for w, _s, _e in ev.hits)


def _evidence(ctx: Context, hits: list[Hit]) -> tuple[Evidence, ...]:
    """The wordings behind a rumour, each once (first span), in text order, in original offsets."""
    seen: dict[str, Evidence] = {}
    for wording, start, end in sorted(hits, key=lambda hit: hit[1]):
        if wording not in seen:
            o_start, o_end = ctx.doc.to_original(start), ctx.doc.to_original(end)
            seen[wording] = Evidence(wording, o_start, o_end, ctx.doc.text[o_start:o_end].strip())
    return tuple(seen.values())
