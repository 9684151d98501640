"""Player references in a clause: catalogue mentions, descriptions that refer back, pronouns.

"the Tottenham centre-back", "the Romanian international", "the Dutchman", "the 23-year-old", "he":
each resolves to the most recent fitting player of the claim (or the only player of the item), by
club and nationality (the language's vocabulary).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.language.clauses import Clause
from bot.language.context import Context, is_club, is_player
from bot.language.fold import fold_text
from bot.models import Mention

__all__ = ["Ref", "player_refs", "resolve"]


@dataclass(slots=True)
class Ref:
    """A player reference in a clause: explicit mention or a resolved description."""

    player_id: str
    start: int
    end: int
    explicit: bool


def player_refs(
    ctx: Context, clause: Clause, recent: list[str], players_in_item: list[str], last_group: Sequence[str] = ()
) -> tuple[list[Ref], list[tuple[str, str]]]:
    """Player references in a clause (mentions and descriptions) and "from" clubs implied by them."""
    inside = ctx.within(clause.start, clause.end)
    refs = [
        Ref(m.entity_id, start, end, explicit=True)
        for start, end, m in inside
        if is_player(m.entity_id) and start not in ctx.companions
    ]
    if clause.subject is not None:
        refs.insert(0, Ref(clause.subject, clause.start, clause.start, explicit=False))  # ", who …"
    history = recent + [r.player_id for r in refs]
    from_pairs = _club_descriptions(ctx, clause, inside, refs, history, players_in_item)
    _descriptions(ctx, clause, refs, recent, players_in_item)
    if not refs and history:
        pronoun = ctx.lang.pronoun.search(ctx.folded, clause.start, clause.end)
        if pronoun is not None:
            # "he"/"him" is the first (subject-most) player of the last clause that named players:
            # "Conte sees Mainoo as the replacement for Lobotka, but United won't sell him" → Mainoo.
            target = last_group[0] if last_group else history[-1]
            refs.append(Ref(target, pronoun.start(), pronoun.end(), explicit=False))
    refs.sort(key=lambda r: r.start)
    return refs, from_pairs


def _club_descriptions(
    ctx: Context, clause: Clause, inside: list[tuple[int, int, Mention]], refs: list[Ref], history: list[str],
    players_in_item: list[str],
) -> list[tuple[str, str]]:
    """"the Tottenham centre-back", "Tottenham CB", "Spurs' Romanian defender": a player and his club."""
    from_pairs: list[tuple[str, str]] = []
    club_role = ctx.lang.cues("club-role", "article").pattern
    former_end = ctx.lang.cues("club-role", "former").pattern
    for m_start, m_end, mention in inside:
        entity_id = mention.entity_id
        if not is_club(entity_id):
            continue
        after_club_role = ctx.lang.after_club_role
        role = after_club_role.match(ctx.folded[m_end : clause.end]) if ctx.may_find(after_club_role, m_end,
                                                                                     clause.end) else None
        if role is None or any(r.explicit and m_end <= r.start <= m_end + role.end() + 1 for r in refs):
            continue
        before = ctx.folded[max(clause.start, m_start - 12) : m_start]
        if club_role.search(before):
            continue  # "is a Rossoneri player": where he goes, not where he is
        former = bool(former_end.search(before))
        player_id = resolve(
            ctx, history, players_in_item, club_id=None if former else entity_id, dem=role.group("dem")
        )
        if player_id is not None:
            refs.append(Ref(player_id, m_start, m_end + role.end(), explicit=False))
            if not former:
                from_pairs.append((player_id, entity_id))
    return from_pairs


def _descriptions(ctx: Context, clause: Clause, refs: list[Ref], recent: list[str], players_in_item: list[str]) -> None:
    """"the Romanian international", "the 23-year-old": references to players named earlier."""
    if not ctx.may_find(ctx.lang.description, clause.start, clause.end):
        return
    chunk = ctx.folded[clause.start : clause.end]
    for desc in ctx.lang.description.finditer(chunk):
        d_start, d_end = clause.start + desc.start(), clause.start + desc.end()
        if any(r.start <= d_start < r.end or d_start <= r.start < d_end for r in refs):
            continue
        dem = desc.group("dem") or desc.group("dem2")
        # A description refers back: to players named before it, not to one named later in the clause.
        earlier = recent + [r.player_id for r in refs if r.start < d_start]
        player_id = resolve(ctx, earlier, players_in_item, club_id=None, dem=dem)
        if player_id is not None:
            refs.append(Ref(player_id, d_start, d_end, explicit=False))


def resolve(
    ctx: Context, history: list[str], players_in_item: list[str], *, club_id: str | None, dem: str | None
) -> str | None:
    """The player a description refers to: the most recent one that fits (club, nationality)."""
    candidates = list(reversed(list(dict.fromkeys(reversed(history)))))
    if not candidates and len(players_in_item) == 1:
        candidates = players_in_item  # cataphora: the only player of the item
    if not candidates:
        return None
    countries = _countries(ctx, dem) if dem is not None else ()

    def fits(player_id: str) -> bool:
        entity = ctx.entity(player_id)
        if entity is None:
            return False
        if club_id is not None and entity.club_id != club_id:
            return False
        return not (countries and entity.country and fold_text(entity.country) not in countries)

    # Nobody fits: better no reference than the wrong player ("the Tottenham centre-back" is not
    # the Manchester City defender named just before).
    return next((p for p in reversed(candidates) if fits(p)), None)


def _countries(ctx: Context, dem: str) -> tuple[str, ...]:
    key = " ".join(dem.split())
    return ctx.lang.demonyms.get(key) or ctx.lang.nations.get(key, ())
