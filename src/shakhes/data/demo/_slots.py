"""Slots: the (channel, campaign) pairs that orders, customers, leads and web traffic share.

The first slots are the paid campaigns (slot index == campaign index), then one slot per unpaid
channel with the campaign :data:`NO_CAMPAIGN`, then one ``email`` slot per send name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shakhes.data.demo._arrays import IntArray, ObjArray, strings
from shakhes.data.demo._campaigns import Campaign
from shakhes.data.demo._email import Email
from shakhes.data.demo._media import MEDIA
from shakhes.data.demo._world import NO_CAMPAIGN


@dataclass(frozen=True, eq=False)
class Slots:
    """The slots (index ``s``) with their channel and campaign names."""

    pairs: list[tuple[str, str]]
    index: dict[tuple[str, str], int]
    channel: ObjArray
    campaign: ObjArray
    email_slot0: int
    """Index of the first email slot (the one of :data:`NO_CAMPAIGN`)."""
    email_code_by_day: IntArray

    def unpaid(self, channel: str, days: IntArray) -> IntArray:
        """The slot of unpaid ``channel`` on each of ``days`` (email: the latest send's)."""
        if channel == "email":
            out: IntArray = self.email_slot0 + self.email_code_by_day[days]
            return out
        return np.full(len(days), self.index[(channel, NO_CAMPAIGN)], dtype=np.int64)


def make_slots(campaigns: list[Campaign], email: Email) -> Slots:
    """The slots of the paid campaigns, the unpaid channels and the email sends."""
    slots: list[tuple[str, str]] = [(MEDIA[c.media].channel, c.name) for c in campaigns]
    for ch in ("organic_search", "direct", "referral", "organic_social"):
        slots.append((ch, NO_CAMPAIGN))
    email_slot0 = len(slots)
    slots.extend(("email", name) for name in email.names)
    return Slots(
        pairs=slots,
        index={s: i for i, s in enumerate(slots)},
        channel=strings([s[0] for s in slots]),
        campaign=strings([s[1] for s in slots]),
        email_slot0=email_slot0,
        email_code_by_day=email.code_by_day,
    )
