"""The move rule (seeds/moves.toml) and the pure decider: which completed stories move a player, and how."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.catalogue.moves import MoveRules, ProposedMove, load_move_rules, propose_move
from bot.errors import ConfigError
from bot.models import Deal, Entity, EntityKind, Report, Stage, Story
from tests.conftest import SEEDS

T0 = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
MILAN_SITE = 7  # the feed id of AC Milan's own site in these stories
SPURS = Entity("player:radu-dragusin", EntityKind.PLAYER, "Radu Drăgușin", club_id="club:tottenham")


@pytest.fixture(scope="module")
def rules() -> MoveRules:
    return load_move_rules(SEEDS / "moves.toml")


def report(n: int, outlet: str, stage: Stage, tier: int | None, *, feed: int = 1, cited: str | None = None,
           known: bool = True) -> Report:
    return Report(item_id=n, outlet=outlet, tier=tier, stage=stage, published=T0 + timedelta(hours=n),
                  title=f"headline {n}", known_source=known, cited=cited, feed_id=feed)


def story(*reports: Report, deal: Deal | None = Deal.PERMANENT, to: str = "club:ac-milan") -> Story:
    return Story(id=42, player_id=SPURS.id, to_club_id=to, from_club_id="club:tottenham", stage=Stage.OFFICIAL,
                 deal=deal, fee=None, head_item_id=reports[0].item_id, first_at=T0, last_at=T0, reports=reports)


def propose(rules: MoveRules, s: Story, player: Entity = SPURS, loan_from: str | None = None) -> ProposedMove | None:
    return propose_move(s, player=player, loan_from=loan_from, rules=rules, club_feeds={MILAN_SITE: "club:ac-milan"})


def moved(rules: MoveRules, s: Story, player: Entity = SPURS, loan_from: str | None = None) -> ProposedMove:
    move = propose(rules, s, player, loan_from)
    assert move is not None
    return move


def test_the_clubs_own_site_announcing_it_moves_him_with_the_evidence(rules: MoveRules) -> None:
    """Official on AC Milan's own site: AC Milan from that day, the story and the site as evidence."""
    move = propose(rules, story(report(1, "Calciomercato", Stage.TALKS, 3), report(3, "AC Milan", Stage.OFFICIAL, 0,
                                                                                   feed=MILAN_SITE)))
    assert move is not None
    assert (move.to_club_id, move.from_club_id, move.loan_from) == ("club:ac-milan", "club:tottenham", None)
    assert (move.effective, move.story_id, move.rule, move.outlets, move.note) == (
        "2026-07-01", 42, "club-official", ("AC Milan",), "headline 3")


def test_a_club_site_counts_whatever_it_cites(rules: MoveRules) -> None:
    """A club site quoting a tier-2 outlet is still the club speaking: only its domain matters."""
    move = propose(rules, story(report(1, "AC Milan", Stage.OFFICIAL, 2, feed=MILAN_SITE, cited="Sky Sport Italia")))
    assert move is not None and move.rule == "club-official"


def test_here_we_go_from_a_tier_one_source_is_enough_and_tier_three_is_not(rules: MoveRules) -> None:
    """here_we_go or official counts from tier 0/1; the same words from a tier-3 or unknown outlet do not."""
    assert moved(rules, story(report(1, "Fabrizio Romano", Stage.HERE_WE_GO, 1))).rule == "top-source"
    assert propose(rules, story(report(1, "Calciomercato", Stage.OFFICIAL, 3))) is None
    assert propose(rules, story(report(1, "Milan Insider", Stage.OFFICIAL, 3, known=False))) is None


def test_agreement_and_medical_need_two_independent_tier_two_outlets(rules: MoveRules) -> None:
    """Two tier ≤ 2 outlets at agreement or beyond, one of them at medical; an outlet quoting another counts once."""
    both = story(report(1, "Sky Sport Italia", Stage.AGREEMENT, 2), report(2, "BBC Sport", Stage.MEDICAL, 1))
    move = propose(rules, both)
    assert move is not None and move.rule == "agreement-and-medical"
    assert (move.outlets, move.effective) == (("Sky Sport Italia", "BBC Sport"), "2026-07-01")
    same_outlet = story(report(1, "Sky Sport Italia", Stage.AGREEMENT, 2), report(2, "Sky Sport Italia", Stage.MEDICAL, 2))
    assert propose(rules, same_outlet) is None
    echo = story(report(1, "Sky Sport Italia", Stage.MEDICAL, 2),
                 report(2, "The Guardian", Stage.AGREEMENT, 2, cited="Sky Sport Italia"))
    assert propose(rules, echo) is None
    no_medical = story(report(1, "Sky Sport Italia", Stage.AGREEMENT, 2), report(2, "BBC Sport", Stage.PERSONAL_TERMS, 1))
    assert propose(rules, no_medical) is None
    low_tier = story(report(1, "Sky Sport Italia", Stage.AGREEMENT, 2), report(2, "The Sun", Stage.MEDICAL, 4))
    assert propose(rules, low_tier) is None


def test_loans_keep_the_parent_club(rules: MoveRules) -> None:
    """A loan records his club as the parent; a loan from a loan keeps the first parent; a permanent move ends it."""
    loan = story(report(1, "AC Milan", Stage.OFFICIAL, 0, feed=MILAN_SITE), deal=Deal.LOAN_OPTION)
    assert moved(rules, loan).loan_from == "club:tottenham"
    on_loan_at_genoa = Entity(SPURS.id, EntityKind.PLAYER, SPURS.name, club_id="club:genoa")
    assert moved(rules, loan, on_loan_at_genoa, loan_from="club:tottenham").loan_from == "club:tottenham"
    permanent = story(report(1, "AC Milan", Stage.OFFICIAL, 0, feed=MILAN_SITE))
    assert moved(rules, permanent, on_loan_at_genoa, loan_from="club:tottenham").loan_from is None
    back_home = story(report(1, "Fabrizio Romano", Stage.HERE_WE_GO, 1), deal=Deal.LOAN, to="club:tottenham")
    assert propose(rules, back_home, on_loan_at_genoa, loan_from="club:tottenham") is None


def test_no_move_when_nothing_would_change_or_it_fell_through(rules: MoveRules) -> None:
    """Already at the club, an extension, an unknown player, or a collapse after completion: no move."""
    done = story(report(1, "AC Milan", Stage.OFFICIAL, 0, feed=MILAN_SITE))
    at_milan = Entity(SPURS.id, EntityKind.PLAYER, SPURS.name, club_id="club:ac-milan")
    assert propose(rules, done, at_milan) is None
    assert propose_move(done, player=None, loan_from=None, rules=rules, club_feeds={}) is None
    extension = story(report(1, "Tottenham", Stage.OFFICIAL, 0, feed=MILAN_SITE), deal=Deal.EXTENSION)
    assert propose(rules, extension) is None
    collapsed = story(report(1, "Fabrizio Romano", Stage.HERE_WE_GO, 1), report(2, "BBC Sport", Stage.COLLAPSED, 1))
    assert propose(rules, collapsed) is None
    denied_before = story(report(1, "BBC Sport", Stage.DENIED, 1), report(2, "Fabrizio Romano", Stage.HERE_WE_GO, 1))
    assert propose(rules, denied_before) is not None  # a denial in June does not undo a here-we-go in July


def test_the_shipped_rule_file_loads() -> None:
    """seeds/moves.toml holds the three rules of issue 10, in order."""
    loaded = load_move_rules(SEEDS / "moves.toml")
    assert [(r.name, r.stage, r.reach, r.club_feed, r.max_tier, r.sources) for r in loaded.rules] == [
        ("club-official", Stage.OFFICIAL, Stage.OFFICIAL, True, None, 1),
        ("top-source", Stage.HERE_WE_GO, Stage.HERE_WE_GO, False, 1, 1),
        ("agreement-and-medical", Stage.AGREEMENT, Stage.MEDICAL, False, 2, 2),
    ]
    assert loaded.lowest_stage is Stage.AGREEMENT


def test_a_broken_rule_file_lists_every_problem_with_its_line(tmp_path: Path) -> None:
    """Unknown stages and keys, bad tiers, a rule that counts nothing and a duplicate name: all reported at once."""
    path = tmp_path / "moves.toml"
    path.write_text(
        '[[rule]]\nname = "a"\nstage = "herewego"\nmax_tier = 1\n\n'
        '[[rule]]\nname = "b"\nstage = "medical"\nreach = "agreement"\nmax_tier = 9\nsource = 2\n\n'
        '[[rule]]\nname = "c"\nstage = "official"\n\n'
        '[[rule]]\nname = "d"\nstage = "official"\nclub_feed = true\n\n'
        '[[rule]]\nname = "d"\nstage = "official"\nclub_feed = true\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as refused:
        load_move_rules(path)
    problems = [p.removeprefix(f"{path}:") for p in refused.value.problems]
    assert problems == [
        ("1: rule #1: stage must be one of interest, contact, talks, advanced_talks, bid, agreement, "
         "personal_terms, medical, here_we_go, official, got 'herewego'"),
        "6: rule #2: unknown key 'source' (expected club_feed, max_tier, name, reach, sources, stage)",
        "6: rule #2: reach 'agreement' is below stage 'medical'",
        "6: rule #2: max_tier must be a whole number from 0 to 5, got 9",
        "13: rule #3: give club_feed = true or a max_tier (which reports count?)",
        "22: rule #5: another rule is already called 'd'",
    ]
