"""Sources: who reported something, and how reliable they are (tier 0 the club itself … 5 aggregator)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

DEFAULT_TIER: Final = 3  # neutral tier for an outlet nobody has rated; shown as "unknown"


class SourceKind(StrEnum):
    """What kind of source reported something."""

    OUTLET = "outlet"
    JOURNALIST = "journalist"
    CLUB = "club"


@dataclass(frozen=True, slots=True)
class Source:
    """A reporting source. ``tier`` 0 (the club itself) … 5 (aggregator).

    ``outlet`` is the journalist's outlet (or the outlet's own name); ``known`` is False for a source
    that is not in the directory and carries the neutral default tier.
    """

    name: str
    tier: int
    kind: SourceKind = SourceKind.OUTLET
    outlet: str | None = None
    known: bool = True

    @property
    def label(self) -> str:
        """Human label with the tier, e.g. ``"Calciomercato.com (tier 3)"`` or ``"Foo (unknown)"``."""
        return f"{self.name} (tier {self.tier})" if self.known else f"{self.name} (unknown)"
