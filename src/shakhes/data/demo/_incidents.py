"""Injected anomalies ("incidents"): a handful of dated events that break a KPI for a day or a
few, so that anomaly detection has a known answer.

=====================  ==========================================================  ========
incident               what happens                                                days
=====================  ==========================================================  ========
``spend_spike``        an always-on campaign spends 10× its planned budget (a      1
                       budget typo with an extra zero); delivery follows
``ctr_collapse``       Google search ads' CTR falls to 5 % of normal (ads          3
                       disapproved); sessions follow clicks
``viral_post``         organic social sessions are 10× normal (a post went viral)  1
``tracking_outage``    Google Ads' reported conversions (search and video) fall    2
                       to 3 % of normal (the conversion tag broke); true orders
                       do not change
=====================  ==========================================================  ========

Each moves its KPI's daily total across the whole account by roughly a third or more, so that
detection at the total level has a fair chance; each explains itself in one dimension value.
Each is a multiplicative factor on one quantity of one dimension value on its days, applied
where the generator draws that quantity, so everything downstream stays consistent (a spend
spike buys impressions and clicks; fewer clicks bring fewer sessions). The incidents are placed
by their own random generator (seeded by the run's seed), so placing them shifts no other draw:
the first three anywhere from day 70 to 40 days before the end, at least 21 days apart, the
tracking outage within the last three weeks (so that the latest anomalies show it).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shakhes.data.demo._arrays import FloatArray
from shakhes.data.demo._calendar import Calendar
from shakhes.data.demo._campaigns import CampaignPlan
from shakhes.data.demo._media import CAMPAIGNS, MEDIA

SPEND_SPIKE_FACTOR = 10.0
CTR_COLLAPSE_FACTOR = 0.05
VIRAL_POST_FACTOR = 10.0
TRACKING_OUTAGE_FACTOR = 0.03
BIG_SHARE = 0.08
"""The spend spike hits a campaign planning at least this share of the day's spend, so that
10× its budget adds at least 70 % to the day's total."""
FIRST_DAY = 70
"""Incidents start no earlier: an anomaly needs some history to break from."""
SPACING = 21
"""Fewest days between the starts of two incidents, so that each stands on its own."""


@dataclass(frozen=True)
class Incident:
    """One injected event: its days, what it multiplies and what it moves."""

    key: str
    description: str
    first: int
    """Index of its first day."""
    days: int
    factor: float
    kpis: tuple[str, ...]
    """The catalog KPIs it moves (at the workspace's total), the one it is about first."""
    dimensions: dict[str, str]
    """The dimension values it happens in (each one explains it)."""
    table: str
    """Where its primary KPI's quantity lives: table, column, and the column that holds
    the dimension value it happens in."""
    column: str
    where: str


@dataclass(frozen=True, eq=False)
class Incidents:
    """The incidents of a run and the factors they apply, by what the generator draws."""

    events: list[Incident]
    spend: FloatArray
    """Factor on the planned spend per campaign and day."""
    ctr: FloatArray
    """Factor on the CTR per media and day."""
    conversions: FloatArray
    """Factor on the platform-reported conversions per media and day."""
    sessions: dict[str, FloatArray] = field(default_factory=dict)
    """Factor on the sessions of an unpaid channel per day."""

    def apply_to_plan(self, plan: CampaignPlan) -> CampaignPlan:
        """``plan`` with the spend spike in its planned spend."""
        return replace(plan, spend=plan.spend * self.spend)


def plan_incidents(seed: int, cal: Calendar, plan: CampaignPlan) -> Incidents:
    """Place the incidents of a run (see the module docstring)."""
    rng = np.random.default_rng([seed, 0x1AC1DE])
    n, n_m = cal.n_days, len(MEDIA)
    media = {m.key: i for i, m in enumerate(MEDIA)}
    starts = _starts(rng, n, 3)
    spend = np.ones_like(plan.spend)
    ctr = np.ones((n_m, n))
    conversions = np.ones((n_m, n))
    viral = np.ones(n)
    events: list[Incident] = []

    # A budget typo on an always-on campaign that plans at least BIG_SHARE of the day's spend.
    t = starts[0]
    day_total = float(plan.spend[:, t].sum())
    big = [
        c
        for c, (_, _, schedule, _, _) in enumerate(CAMPAIGNS)
        if schedule == "always" and plan.spend[c, t] >= BIG_SHARE * day_total
    ] or [int(np.argmax(plan.spend[:, t]))]
    c = int(rng.choice(big))
    camp = plan.campaigns[c]
    spend[c, t] = SPEND_SPIKE_FACTOR
    events.append(
        Incident(
            key="spend_spike",
            description=f"the campaign '{camp.name}' spent {SPEND_SPIKE_FACTOR:g}× its "
            "planned budget (a budget typo); impressions and clicks follow",
            first=t,
            days=1,
            factor=SPEND_SPIKE_FACTOR,
            kpis=(
                "cost",
                "impressions",
                "clicks",
                "sessions",
                "cpa",
                "roas",
                "mer",
                "roi",
                # the total's ratios move with the mix: more of one campaign's rows
                "ctr",
                "cpc",
                "cpm",
                "conversion_rate",
            ),
            dimensions={
                "campaign": camp.name,
                "platform": MEDIA[camp.media].platform,
                "channel": MEDIA[camp.media].channel,
            },
            table="ad_performance",
            column="cost",
            where="campaign",
        )
    )

    t = starts[1]
    m = media["google_search"]
    ctr[m, t : t + 3] = CTR_COLLAPSE_FACTOR
    events.append(
        Incident(
            key="ctr_collapse",
            description=f"Google search ads' CTR fell to {CTR_COLLAPSE_FACTOR:.0%} of normal "
            "(ads disapproved); fewer clicks bring fewer sessions",
            first=t,
            days=3,
            factor=CTR_COLLAPSE_FACTOR,
            kpis=("ctr", "clicks", "sessions", "cpc", "conversion_rate"),
            dimensions={"platform": MEDIA[m].platform, "channel": MEDIA[m].channel},
            table="ad_performance",
            column="clicks",
            where="channel",
        )
    )

    t = starts[2]
    viral[t] = VIRAL_POST_FACTOR
    events.append(
        Incident(
            key="viral_post",
            description=f"organic social sessions were {VIRAL_POST_FACTOR:g}× normal "
            "(a post went viral)",
            first=t,
            days=1,
            factor=VIRAL_POST_FACTOR,
            kpis=(
                "sessions",
                "engaged_sessions",
                "new_users",
                "page_views",
                "key_events",
                "engagement_rate",
                "bounce_rate",
                "pages_per_session",
                "web_conversion_rate",
            ),
            dimensions={"channel": "organic_social"},
            table="web_traffic",
            column="sessions",
            where="channel",
        )
    )

    t = int(rng.integers(n - 21, n - 6))
    google = [i for i, m in enumerate(MEDIA) if m.platform == "google_ads"]
    conversions[google, t : t + 2] = TRACKING_OUTAGE_FACTOR
    events.append(
        Incident(
            key="tracking_outage",
            description=f"Google Ads' reported conversions fell to {TRACKING_OUTAGE_FACTOR:.0%} "
            "of normal (the conversion tag broke); true orders did not change",
            first=t,
            days=2,
            factor=TRACKING_OUTAGE_FACTOR,
            kpis=("conversions", "conversion_value", "conversion_rate", "cpa", "roas"),
            dimensions={"platform": "google_ads"},
            table="ad_performance",
            column="conversions",
            where="platform",
        )
    )
    return Incidents(events, spend, ctr, conversions, {"organic_social": viral})


def _starts(rng: np.random.Generator, n: int, k: int) -> list[int]:
    """``k`` days from :data:`FIRST_DAY` to 40 days before the end, :data:`SPACING` apart."""
    hi = n - 40
    while True:
        days = sorted(int(d) for d in rng.integers(FIRST_DAY, hi, size=k))
        if all(b - a >= SPACING for a, b in itertools.pairwise(days)):
            return [int(d) for d in rng.permutation(days)]


def incident_truth(incidents: Incidents, cal: Calendar, tables: dict[str, pa.Table]) -> list[Any]:
    """The ground truth of the incidents: days, KPIs, dimension values and size.

    ``value`` is the primary KPI's quantity in the dimension value on the day, as generated;
    ``without`` is that value ÷ the factor — what the day would have had without the
    incident (exactly, for a factor on spend or on reported conversions, which multiply the
    day's draws; an unbiased estimate for clicks and sessions, which are drawn counts)."""
    out: list[Any] = []
    for event in incidents.events:
        table = tables[event.table]
        date_col = "date"
        days = []
        for t in range(event.first, event.first + event.days):
            day = cal.dates[t].item()
            mask = pc.and_(
                pc.equal(table[date_col], pa.scalar(day, pa.date32())),
                pc.equal(table[event.where], pa.scalar(event.dimensions[event.where])),
            )
            value = float(pc.sum(pc.filter(table[event.column], mask)).as_py() or 0.0)
            days.append(
                {
                    "date": day.isoformat(),
                    "value": round(value, 2),
                    "without": round(value / event.factor, 2),
                    "change": round(value - value / event.factor, 2),
                }
            )
        out.append(
            {
                "key": event.key,
                "description": event.description,
                "start": days[0]["date"],
                "end": days[-1]["date"],
                "days": days,
                "factor": event.factor,
                "kpi": event.kpis[0],
                "kpis": list(event.kpis),
                "dimensions": dict(event.dimensions),
                "measured_as": f"{event.table}.{event.column} where {event.where} = "
                f"'{event.dimensions[event.where]}'",
            }
        )
    return out
