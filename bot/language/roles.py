"""What each club of a clause is to the players in it: a suitor, his club, a seller, a former club, an opponent.

A club is a *suitor* only when nothing marks it as something else. The markers are wordings of the
``club-role`` category, read right before the club: "from", "leave", "of" (his club), "talks with"
(the seller), "loan from" (the owner), "against", "former", "on loan at" (not a suitor).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.language.clauses import Clause
from bot.language.context import Context, Hit
from bot.language.cues import deal_cues
from bot.language.references import Ref
from bot.models import Deal, Mention

__all__ = ["Roles", "club_roles", "is_suitor_mention", "names_unknown_player", "to_constructs"]

_SCORE_AFTER = re.compile(r"\s*\d+\s*[-–]\s*\d+")
_SCORE_NEAR = re.compile(r"\d+\s*[-–]\s*\d+")
_POSSESSIVE_GAP = re.compile(r"\s*'s?\s*")


@dataclass(slots=True)
class Roles:
    """The clubs of one clause, sorted by role."""

    suitors: list[str] = field(default_factory=list)
    excluded: set[str] = field(default_factory=set)
    from_pairs: list[tuple[str, str]] = field(default_factory=list)
    loan_hosts: list[str] = field(default_factory=list)
    sellers: list[tuple[str, str]] = field(default_factory=list)
    weak_from: list[tuple[str, str]] = field(default_factory=list)
    not_suitor_end: int = -1  # where the last club that is no suitor ends ("the former Barcelona and Betis …")


def club_roles(ctx: Context, clause: Clause, clubs: list[Mention], refs: list[Ref]) -> Roles:
    """Decide for each club of a clause whether it can be a suitor, and which are "from" clubs."""
    roles = Roles()
    hosts = _LoanHosts(ctx, clause, clubs)
    for mention in clubs:
        if not _sort_club(ctx, clause, clubs, refs, mention, roles, hosts) and mention.entity_id not in roles.suitors:
            roles.suitors.append(mention.entity_id)
    # A club excluded in one place but a suitor in another of the same clause stays a suitor
    # ("Milan, who beat Roma, want Frattesi" never excludes Milan itself).
    if roles.excluded.intersection(roles.suitors):
        suitor_mentions = {m.entity_id for m in clubs if is_suitor_mention(ctx, m, clause)}  # each club once
        roles.excluded -= {c for c in roles.suitors if c in suitor_mentions}
    return roles


class _LoanHosts:
    """The clubs of a clause named right after "on loan at" (worked out only if a seller cue asks)."""

    def __init__(self, ctx: Context, clause: Clause, clubs: list[Mention]) -> None:
        self._args = (ctx, clause, clubs)
        self._found: set[str] | None = None

    def get(self) -> set[str]:
        if self._found is None:
            ctx, clause, clubs = self._args
            loan_host = ctx.lang.cues("club-role", "loan-host")
            self._found = {m.entity_id for m in clubs if ctx.search(loan_host, *_before(ctx, clause, m, 40))}
        return self._found


def _before(ctx: Context, clause: Clause, mention: Mention, width: int) -> tuple[int, int]:
    """The folded span of up to ``width`` characters of the clause before a mention."""
    start = ctx.fspan(mention)[0]
    return max(clause.start, start - width), start


def _sort_club(
    ctx: Context, clause: Clause, clubs: list[Mention], refs: list[Ref], mention: Mention, roles: Roles,
    hosts: _LoanHosts,
) -> bool:
    """File one club under a role other than suitor; False when it stays a suitor."""
    lang, folded, club_id = ctx.lang, ctx.folded, mention.entity_id
    start, end = ctx.fspan(mention)
    before_start = max(clause.start, start - 60)
    after_end = min(clause.end, end + 40)
    # Both score shapes need a digit: most clubs have none around them (a set look-up, not two regexes).
    if (ctx.has_digit(max(clause.start, start - 8), start) and _SCORE_NEAR.search(
        folded[max(clause.start, start - 8) : start]
    )) or (ctx.has_digit(end, after_end) and _SCORE_AFTER.match(folded[end:after_end])):
        roles.excluded.add(club_id)  # "Milan 2-1 Roma": a match, not a transfer
        return True
    if lang.cues("club-role", "suitor-after").pattern.match(folded, end, after_end):
        return False  # "reports of Juventus and Napoli interest", "face Bayern battle": a suitor
    if ctx.search(lang.cues("club-role", "loan-host"), before_start, start):
        roles.loan_hosts.append(club_id)
        roles.excluded.add(club_id)
        return True
    if ctx.search(lang.cues("club-role", "not-suitor"), before_start, start) or (
        # listed right after a club that is no suitor: "the former Barcelona and Real Betis forward",
        # "ha vestito le maglie di Palermo e Juventus"
        roles.not_suitor_end >= 0 and lang.cues("list-join").pattern.fullmatch(folded, roles.not_suitor_end, start)
    ):
        roles.excluded.add(club_id)
        roles.not_suitor_end = end
        return True
    if ctx.search(lang.cues("club-role", "parent"), before_start, start):
        roles.excluded.add(club_id)
        roles.sellers.extend((ref.player_id, club_id) for ref in refs)
        return True
    seller_cue = ctx.search(lang.cues("club-role", "seller"), before_start, start)
    if seller_cue is not None and _player_negotiates(ctx, clause, clubs, refs, seller_cue, before_start):
        seller_cue = None  # "James Rodríguez is in talks with Club América": the club he would join
    if seller_cue is not None:
        roles.excluded.add(club_id)
        # The seller is the player's club, unless his own club is named here as well (a swap:
        # "a swap deal to Chelsea involving Garnacho and Højlund" sells only Garnacho).
        others = {m.entity_id for m in clubs if m.entity_id != club_id} - hosts.get()
        # "Trabzonspor in talks with Manchester United about turning Onana's loan into a permanent
        # transfer": the club he is on loan at is named too, and the owner sells
        converts = {Deal.LOAN, Deal.PERMANENT} <= {deal for _p, deal, _h in deal_cues(ctx, clause.start, clause.end)}
        for ref in refs:
            entity = ctx.entity(ref.player_id)
            if entity is None or entity.club_id not in others or converts:
                roles.sellers.append((ref.player_id, club_id))
        return True
    if any(not r.explicit and r.start == start and r.end > end for r in refs):
        roles.excluded.add(club_id)  # "Lazio's captain", "the Tottenham centre-back": his club
        return True
    return _owner_club(ctx, refs, mention, before_start, roles)


def _owner_club(ctx: Context, refs: list[Ref], mention: Mention, before_start: int, roles: Roles) -> bool:
    """"Tottenham's Drăgușin", "Aké of Manchester City", "leave Spurs", "from Genoa": the player's club."""
    lang, folded, club_id = ctx.lang, ctx.folded, mention.entity_id
    start, end = ctx.fspan(mention)
    owner_of = next(
        (r for r in refs if r.explicit and r.start >= end and _POSSESSIVE_GAP.fullmatch(folded, end, r.start)), None
    )
    player_before = next((r for r in refs if r.end <= start and lang.of_gap.fullmatch(folded, r.end, start)), None)
    from_cue = (
        ctx.search(lang.cues("club-role", "from"), before_start, start)
        if not ctx.search(lang.cues("club-role", "suitor-from"), before_start, start)
        # "at Burnley's training ground": where he is today, not his club
        and not lang.cues("club-role", "premises").pattern.match(folded, end, end + 40)
        else None
    )
    if owner_of is None and player_before is None and not from_cue:
        return False
    roles.excluded.add(club_id)
    if owner_of is not None:
        targets = [owner_of.player_id]
    elif player_before is not None:
        targets = [player_before.player_id]
    else:
        # "the signing of Brobbey from Sunderland and … Kean": the players named before the cue
        targets = [r.player_id for r in refs if r.end <= start] or [r.player_id for r in refs]
    # A bare "from X" / "at X" is often history ("his move from Leipzig", "joined from Metz"):
    # it never overrides the catalogue club, it only fills in when the catalogue has none.
    cue_text = from_cue.group(0).strip() + " " if from_cue is not None else ""
    weak = owner_of is None and player_before is None and bool(lang.bare_from.fullmatch(cue_text))
    if weak and ctx.search(lang.cues("club-role", "joining-from"), before_start, start):
        weak = False  # "Holm will join the Bianconeri from Bologna": a move under way, not his history
    if weak:
        # "Hammer at FC Bayern!": a bare "at" tells nothing about a player the clause does not name
        named = {r.player_id for r in refs if r.end > r.start}
        targets = [p for p in targets if p in named]
    (roles.weak_from if weak else roles.from_pairs).extend((p, club_id) for p in targets)
    return True


def _player_negotiates(
    ctx: Context, clause: Clause, clubs: list[Mention], refs: list[Ref], cue: re.Match[str], offset: int
) -> bool:
    """True when the party of "talks with <club>" is the player or his own club, not a buying club.

    "Milan are in talks with Tottenham": Tottenham sells. "Lloris has opened discussions with Nice":
    the player (or his camp) negotiates with the club he would join. "L'Atalanta ha raggiunto l'accordo
    con il Manchester United per Éderson": his own club sells to the club named after the cue. The
    party is the entity named nearest before the cue in the clause.
    """
    if not ctx.lang.with_end.search(cue.group(0).rstrip()):
        return False  # "an offer to Dortmund", "contacted Juventus": always the seller
    cue_start = offset + cue.start()
    player_end = max((r.end for r in refs if r.start < r.end <= cue_start), default=-1)  # named or described
    club_end, party = max(
        ((e, m.entity_id) for m in clubs if (e := ctx.fspan(m)[1]) <= cue_start), default=(-1, "")
    )
    if player_end > club_end:
        return clause.start <= player_end
    # The player of the talks: the first one named after the cue ("… with Sevilla over Agoumé"), else
    # the clause's only one.
    after = [r.player_id for r in refs if r.start >= offset + cue.end()]
    player_id = after[0] if after else (refs[0].player_id if len({r.player_id for r in refs}) == 1 else None)
    entity = ctx.entity(player_id) if player_id is not None else None
    if club_end < clause.start or entity is None or party != entity.club_id:
        return False
    # "… about turning Onana's loan into a permanent transfer": the club he plays for has him on loan
    # and is the one buying.
    deals = {deal for _pos, deal, _hit in deal_cues(ctx, clause.start, clause.end)}
    return not {Deal.LOAN, Deal.PERMANENT} <= deals


def names_unknown_player(ctx: Context, clause: Clause) -> bool:
    """True when the clause names a footballer who is not a catalogue mention.

    The shapes are the provisional detector's: a full name after a role ("winger Unai Gorostiza") or
    after a signing verb ("sign Kacper Nowicki from Lech").
    """
    key = ("unknown", clause.start, clause.end)
    if key not in ctx.memo:
        ctx.memo[key] = _names_unknown_player(ctx, clause)
    return bool(ctx.memo[key])


def _names_unknown_player(ctx: Context, clause: Clause) -> bool:
    cues = ctx.lang.cues("name-cue")
    if not ctx.may_find(cues, clause.start, clause.end):
        return False
    for found in cues.pattern.finditer(ctx.folded, clause.start, clause.end):
        name_start = found.end()
        original = ctx.original(name_start, min(clause.end, name_start + 60))
        name = ctx.lang.capitalised_name.match(original)
        if name is None:
            continue
        name_end = ctx.doc.to_folded(ctx.doc.to_original(name_start) + name.end())
        if not ctx.overlaps_mention(name_start, name_end):
            return True
    return False


def is_suitor_mention(ctx: Context, mention: Mention, clause: Clause) -> bool:
    """True when nothing right before this mention of a club marks it as something else than a suitor."""
    lang = ctx.lang
    before = _before(ctx, clause, mention, 60)
    end = ctx.fspan(mention)[1]
    if lang.cues("club-role", "suitor-after").pattern.match(ctx.folded, end, min(clause.end, end + 40)):
        return True
    if ctx.search(lang.cues("club-role", "not-suitor"), *before):
        return False
    return not ctx.search(lang.cues("club-role", "from"), *before) or bool(
        ctx.search(lang.cues("club-role", "suitor-from"), *before)
    )


def to_constructs(ctx: Context, refs: list[Ref], clubs: list[Mention]) -> list[tuple[str, str, Hit]]:
    """Headline style "Drăgușin to Milan", "Aké's move to Milan": a direct player → club link."""
    cues = ctx.lang.cues("to-link")
    pairs: list[tuple[str, str, Hit]] = []
    starts = [ctx.fspan(mention)[0] for mention in clubs]
    for ref in refs:
        last = max((start for start in starts if start >= ref.end), default=None)
        if last is None:
            continue
        # One slice per player, cut short per club by ``endpos`` (the same as slicing to the club: a
        # slice per pair made a long clause quadratic in its length).
        gap = ctx.folded[ref.end : last]
        for mention, start in zip(clubs, starts, strict=True):
            found = cues.pattern.match(gap, 0, start - ref.end) if start >= ref.end else None
            if found is not None:
                pairs.append((ref.player_id, mention.entity_id, (cues.wording(found).id, ref.end, start)))
    return pairs
