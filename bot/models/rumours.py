"""Rumours: one player linked with one club by one item, at a stage, with a deal type."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from bot.models.sources import Source


class Stage(StrEnum):
    """How far a rumour has gone. ``rank`` orders the positive stages; negative ones end a rumour."""

    INTEREST = "interest"
    CONTACT = "contact"
    TALKS = "talks"
    ADVANCED_TALKS = "advanced_talks"
    BID = "bid"
    AGREEMENT = "agreement"
    PERSONAL_TERMS = "personal_terms"
    MEDICAL = "medical"
    HERE_WE_GO = "here_we_go"
    OFFICIAL = "official"
    COLLAPSED = "collapsed"
    DENIED = "denied"

    @property
    def rank(self) -> int:
        """Position in the progression; negative stages rank above every positive one."""
        return _STAGE_ORDER.index(self)

    @property
    def is_negative(self) -> bool:
        """True for stages that say the move is off (collapsed, denied)."""
        return self in (Stage.COLLAPSED, Stage.DENIED)


# Negative stages sit at the top: an item that reports a denial or a collapse is news about the
# end of the rumour, whatever progress it also recounts. Collapsed outranks denied because it
# implies the talks were real.
_STAGE_ORDER: tuple[Stage, ...] = (
    Stage.INTEREST,
    Stage.CONTACT,
    Stage.TALKS,
    Stage.ADVANCED_TALKS,
    Stage.BID,
    Stage.AGREEMENT,
    Stage.PERSONAL_TERMS,
    Stage.MEDICAL,
    Stage.HERE_WE_GO,
    Stage.OFFICIAL,
    Stage.DENIED,
    Stage.COLLAPSED,
)


def highest_stage(stages: Iterable[Stage]) -> Stage | None:
    """The most advanced stage of ``stages`` (a negative stage beats any positive one)."""
    return max(stages, key=lambda s: s.rank, default=None)


class Deal(StrEnum):
    """The structure of a move."""

    PERMANENT = "permanent"
    LOAN = "loan"
    LOAN_OPTION = "loan_option"
    LOAN_OBLIGATION = "loan_obligation"
    FREE = "free"
    SWAP = "swap"
    PRE_CONTRACT = "pre_contract"
    EXTENSION = "extension"


@dataclass(frozen=True, slots=True)
class Evidence:
    """A wording that produced or shaped a rumour: its id and the span of the item's text it matched."""

    wording: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Rumour:
    """One player linked with one club by one item.

    ``from_club_id`` is the club the player would leave (None for an extension, or when unknown);
    ``rejected`` marks a bid or offer that was turned down (the stage stays ``bid``); ``negated``
    marks a denial or collapse (stage ``denied``/``collapsed``). ``evidence`` lists the wordings
    (ids of ``seeds/wordings``) and text spans behind it; it does not take part in equality.
    """

    player_id: str
    from_club_id: str | None
    to_club_id: str
    stage: Stage
    deal: Deal | None
    fee: str | None
    negated: bool
    rejected: bool
    source: Source | None
    evidence: tuple[Evidence, ...] = field(default=(), compare=False)
