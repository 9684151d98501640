"""Digests (issue 12): a daily message of the top stories by heat, for a server (in a channel) or a member (DM).

:mod:`bot.digests.schedule` says when (local time, time zones, daylight saving; pure);
:mod:`bot.digests.compose` says what (the day's stories by heat; pure); :mod:`bot.digests.service`
sets them up, enqueues the due ones into the outbox and renders them for delivery.
"""

from bot.digests.service import DIGEST_JOB, Digests, DigestSetting, schedule_digests

__all__ = ["DIGEST_JOB", "DigestSetting", "Digests", "schedule_digests"]
