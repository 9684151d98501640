"""Moves learnt from the news: when a story completes, the player's club changes. Pure: data in, a move out.

The rule is data (``seeds/moves.toml``, loaded and validated by :func:`load_move_rules`): a story
completes when its reports satisfy one ``[[rule]]`` — typically ``official`` from the club's own site,
``here_we_go``/``official`` from a tier-0/1 source, or agreement and medical from two independent
tier ≤ 2 outlets. :func:`propose_move` reads one stored story (with its reports) and the player as the
catalogue holds him, and returns the move it proves, or None. ``bot.catalogue.learner`` applies or
queues what it returns.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.catalogue.normalize import norm
from bot.catalogue.seeds import table_lines
from bot.errors import ConfigError
from bot.models import Deal, Entity, EntityKind, Report, Stage, Story

LOAN_DEALS = frozenset({Deal.LOAN, Deal.LOAN_OPTION, Deal.LOAN_OBLIGATION})
_POSITIVE = tuple(s for s in Stage if not s.is_negative)
_KEYS = frozenset({"name", "stage", "reach", "club_feed", "max_tier", "sources"})


@dataclass(frozen=True, slots=True)
class MoveRule:
    """One way a story completes (see ``seeds/moves.toml``)."""

    name: str
    stage: Stage
    reach: Stage
    club_feed: bool = False
    max_tier: int | None = None
    sources: int = 1


@dataclass(frozen=True, slots=True)
class MoveRules:
    """The rules, in the order they are tried."""

    rules: tuple[MoveRule, ...]

    @property
    def lowest_stage(self) -> Stage | None:
        """The lowest stage any rule counts: a story below it cannot complete (the learner skips it)."""
        return min((r.stage for r in self.rules), key=lambda s: s.rank, default=None)


@dataclass(frozen=True, slots=True)
class ProposedMove:
    """A move a completed story proves: the player, his new club (and parent club on loan), the evidence."""

    player_id: str
    to_club_id: str
    from_club_id: str | None
    loan_from: str | None
    deal: Deal | None
    effective: str  # ISO date: the day of the report that completed the story
    story_id: int
    rule: str
    outlets: tuple[str, ...]  # the independent sources the rule counted, in the order they reported
    note: str  # the deciding report's headline


def propose_move(
    story: Story,
    *,
    player: Entity | None,
    loan_from: str | None,
    rules: MoveRules,
    club_feeds: Mapping[int, str],
) -> ProposedMove | None:
    """The move ``story`` proves, or None.

    ``player`` is the story's player as the catalogue holds him now (None if unknown); ``loan_from``
    his parent club if he is on loan now; ``club_feeds`` maps the id of each feed that is a club's own
    site (by domain) to that club. None when the player is unknown or already at the club, when the
    story is an extension, when no rule is satisfied, or when a later report denies the move.
    """
    if player is None or player.kind is not EntityKind.PLAYER or story.deal is Deal.EXTENSION:
        return None
    if player.club_id == story.to_club_id:
        return None  # already there: a "joins" report of a move the catalogue knows
    reports = sorted(story.reports, key=lambda r: (r.published, r.item_id))
    involved = {c for c in (story.to_club_id, story.from_club_id, player.club_id) if c}
    for rule in rules.rules:
        decided = _satisfied(rule, reports, involved, club_feeds)
        if decided is None:
            continue
        deciding, counted = decided
        if any(r.stage.is_negative and (r.published, r.item_id) > (deciding.published, deciding.item_id)
               for r in reports):
            return None  # the move collapsed (or was denied) after it completed
        parent = _parent_club(story, player, loan_from)
        if parent == story.to_club_id:
            return None  # "on loan" back to his own parent club: nothing to record
        return ProposedMove(
            player_id=player.id,
            to_club_id=story.to_club_id,
            from_club_id=player.club_id,
            loan_from=parent,
            deal=story.deal,
            effective=deciding.published.date().isoformat(),
            story_id=story.id,
            rule=rule.name,
            outlets=counted,
            note=deciding.title,
        )
    return None


def _parent_club(story: Story, player: Entity, loan_from: str | None) -> str | None:
    """A loan keeps (or starts) the parent club; a permanent move ends any loan."""
    if story.deal not in LOAN_DEALS:
        return None
    return loan_from or player.club_id


def _satisfied(
    rule: MoveRule, reports: Sequence[Report], involved: set[str], club_feeds: Mapping[int, str]
) -> tuple[Report, tuple[str, ...]] | None:
    """The report at which ``rule`` became satisfied and the independent sources counted, or None."""
    counted: dict[str, str] = {}  # folded source -> as written
    reached = False
    for report in reports:
        if report.stage.is_negative or report.stage.rank < rule.stage.rank:
            continue
        if rule.club_feed:
            if report.feed_id is None or club_feeds.get(report.feed_id) not in involved:
                continue
        elif not (report.known_source and report.tier is not None and rule.max_tier is not None
                  and report.tier <= rule.max_tier):
            continue
        source = report.cited or report.outlet
        counted.setdefault(norm(source), source)
        reached = reached or report.stage.rank >= rule.reach.rank
        if reached and len(counted) >= rule.sources:
            return report, tuple(counted.values())
    return None


# ----------------------------------------------------------------------------- loading


def load_move_rules(path: Path) -> MoveRules:
    """Read ``seeds/moves.toml``; every problem is reported at once (file, line, rule) as a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read ({exc.strerror or exc})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: invalid TOML: {exc}"]) from exc
    problems: list[str] = []
    raw = data.get("rule", [])
    if not isinstance(raw, list) or not raw:
        raise ConfigError([f"{path}: expected at least one [[rule]] table"])
    lines = table_lines(text, "rule")
    rules: list[MoveRule] = []
    for index, table in enumerate(raw):
        where = f"{path}:{lines[index] if index < len(lines) else '?'}: rule #{index + 1}"
        rule = _rule(table, where, problems)
        if rule is not None:
            if any(r.name == rule.name for r in rules):
                problems.append(f"{where}: another rule is already called {rule.name!r}")
            rules.append(rule)
    if problems:
        raise ConfigError(problems)
    return MoveRules(tuple(rules))


def _rule(table: object, where: str, problems: list[str]) -> MoveRule | None:
    if not isinstance(table, dict):
        problems.append(f"{where}: must be a table")
        return None
    before = len(problems)
    problems.extend(f"{where}: unknown key {key!r} (expected {', '.join(sorted(_KEYS))})"
                    for key in sorted(set(table) - _KEYS))
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}: `name` is required")
        name = "?"
    stage = _stage(table.get("stage"), f"{where}: stage", problems)
    reach = _stage(table["reach"], f"{where}: reach", problems) if "reach" in table else stage
    if stage is not None and reach is not None and reach.rank < stage.rank:
        problems.append(f"{where}: reach {reach.value!r} is below stage {stage.value!r}")
    club_feed = table.get("club_feed", False)
    if not isinstance(club_feed, bool):
        problems.append(f"{where}: club_feed must be true or false")
    max_tier = table.get("max_tier")
    if max_tier is not None and (isinstance(max_tier, bool) or not isinstance(max_tier, int) or not 0 <= max_tier <= 5):
        problems.append(f"{where}: max_tier must be a whole number from 0 to 5, got {max_tier!r}")
    if club_feed is not True and max_tier is None:
        problems.append(f"{where}: give club_feed = true or a max_tier (which reports count?)")
    sources = table.get("sources", 1)
    if isinstance(sources, bool) or not isinstance(sources, int) or not 1 <= sources <= 10:
        problems.append(f"{where}: sources must be a whole number from 1 to 10, got {sources!r}")
    if len(problems) > before or stage is None or reach is None:
        return None
    return MoveRule(name.strip(), stage, reach, club_feed is True, max_tier, sources)


def _stage(value: object, where: str, problems: list[str]) -> Stage | None:
    names = [s.value for s in _POSITIVE]
    if not isinstance(value, str) or value not in names:
        problems.append(f"{where} must be one of {', '.join(names)}, got {value!r}")
        return None
    return Stage(value)
