"""Stories: the same rumour reported by several outlets is one story, ranked by heat.

:mod:`bot.stories.decider` decides story membership (pure); :mod:`bot.stories.heat` ranks stories.
"""

from bot.stories.decider import STORY_WINDOW, decide, primary
from bot.stories.heat import STAGE_FACTOR, best_report, heat, heat_ceiling, tier_weight

__all__ = [
    "STAGE_FACTOR",
    "STORY_WINDOW",
    "best_report",
    "decide",
    "heat",
    "heat_ceiling",
    "primary",
    "tier_weight",
]
