"""Email: the sends of every newsletter and promotion, and the sessions their clicks bring.

A Weekly Newsletter every Tuesday, Tips & Stories every other Thursday, and promotions on
Mondays and Fridays during sale windows, to a list that grows over the period. Email orders,
sessions and leads carry the name of the latest send on or before their day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shakhes.data.demo._arrays import BoolArray, FloatArray, IntArray, ObjArray, lognormal
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._world import (
    EMAIL_BASE_SESSIONS,
    EMAIL_LIST_GROWTH,
    EMAIL_LIST_SIZE,
    EMAIL_RATES,
    EMAIL_SESSION_KERNEL,
    NO_CAMPAIGN,
)


@dataclass(frozen=True, eq=False)
class Email:
    """The ``email_campaigns`` table and what other tables need from it."""

    table: dict[str, Any]
    names: list[str]
    """:data:`NO_CAMPAIGN`, then every send's name, sorted."""
    code_by_day: IntArray
    """Per day, the index in ``names`` of the latest send on or before it (0 before any)."""
    session_mean: FloatArray
    """Expected email sessions per day."""
    daily_clicks: FloatArray
    """Clicks of the sends of each day (0 on days without a send)."""


def send_email(rng: np.random.Generator, cal: Calendar, scale: float) -> Email:
    """Draw the sends, their delivery, opens, clicks and unsubscribes."""
    n = cal.n_days
    names: list[ObjArray] = []
    days: list[IntArray] = []
    sizes: list[FloatArray] = []
    all_days = np.arange(n, dtype=np.int64)
    week = (all_days + int(cal.dow[0])) // 7

    def add(mask: BoolArray, name: str, share: float) -> None:
        d = all_days[mask]
        days.append(d)
        arr: ObjArray = np.empty(len(d), dtype=object)
        arr[:] = name
        names.append(arr)
        sizes.append(np.full(len(d), share))

    add(cal.dow == 1, "Weekly Newsletter", 1.0)
    add((cal.dow == 3) & (week % 2 == 0), "Tips & Stories", 0.6)
    promo_days = (cal.dow == 0) | (cal.dow == 4)
    promos = {
        "winter_sale": "حراج زمستانه | Email",
        "black_friday": "Black Friday | Email",
        "nowruz": "تخفیف نوروزی | Email",
        "summer_sale": "Summer Sale | Email",
    }
    for window, name in promos.items():
        add(promo_days & cal.window_mask(window), name, 0.85)
    day = np.concatenate(days)
    name_arr = np.concatenate(names)
    share = np.concatenate(sizes)
    order = np.lexsort((name_arr.astype(str), day))
    day, name_arr, share = day[order], name_arr[order], share[order]
    list_size = EMAIL_LIST_SIZE * scale * (1 + EMAIL_LIST_GROWTH) ** (day / 365.25)
    sent = rng.poisson(list_size * share).astype(np.int64)
    delivered = rng.binomial(sent, EMAIL_RATES["delivery"]).astype(np.int64)
    opens = rng.binomial(delivered, EMAIL_RATES["open"] * lognormal(rng, 0.1, len(day)))
    clicks = rng.binomial(opens, EMAIL_RATES["click"] * lognormal(rng, 0.15, len(day)))
    unsubs = rng.binomial(delivered, EMAIL_RATES["unsubscribe"])
    table = {
        "date": cal.dates[day],
        "campaign": name_arr,
        "sent": sent,
        "delivered": delivered,
        "opens": opens.astype(np.int64),
        "clicks": clicks.astype(np.int64),
        "unsubscribes": unsubs.astype(np.int64),
        "bounces": sent - delivered,
    }
    # The latest send on or before each day names email-attributed rows.
    idx = np.searchsorted(day, all_days, side="right") - 1
    send_names = [NO_CAMPAIGN, *sorted(set(name_arr.tolist()))]
    code = {s: i for i, s in enumerate(send_names)}
    send_codes = np.asarray([code[s] for s in name_arr.tolist()], dtype=np.int64)
    daily_clicks = np.bincount(day, clicks.astype(np.float64), n).astype(np.float64)
    kernel = np.asarray(EMAIL_SESSION_KERNEL)
    return Email(
        table=table,
        names=send_names,
        code_by_day=np.where(idx >= 0, send_codes[np.maximum(idx, 0)], 0),
        session_mean=(
            np.convolve(daily_clicks, kernel)[:n] * 1.05 + EMAIL_BASE_SESSIONS * scale * cal.demand
        ),
        daily_clicks=daily_clicks,
    )
