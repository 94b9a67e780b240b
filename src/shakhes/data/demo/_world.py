"""The fixed world outside paid media: demand, unpaid traffic, customers and plans, leads, email.

Every number here is a parameter of the model and is recorded in the ground truth.
"""

from __future__ import annotations

NO_CAMPAIGN = "(none)"
"""Campaign name used wherever there is no campaign (organic, direct, referral, repeat orders)."""

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
DAYS_PER_MONTH = 365.25 / 12
DEVICES = ("desktop", "mobile", "tablet")

# Demand (seasonality, weekday, trend), how spend follows it, and what web analytics sees of it.
DEMAND_MONTH_ANCHORS = (0.95, 0.92, 1.05, 0.98, 0.95, 0.90, 0.82, 0.85, 0.97, 1.05, 1.30, 1.35)
DEMAND_WEEKDAY = (1.02, 1.03, 1.02, 1.00, 0.97, 0.95, 1.01)
TREND_ANNUAL_GROWTH = 0.18
SPEND_FOLLOWS_DEMAND = 0.7
PAID_SESSION_RATE = 0.86
GA4_REVENUE_COVERAGE = 0.93

# Organic traffic sources: (source, medium, channel, sessions per day at demand 1 and scale 1).
ORGANIC_SOURCES: tuple[tuple[str, str, str, float], ...] = (
    ("google", "organic", "organic_search", 900.0),
    ("bing", "organic", "organic_search", 60.0),
    ("(direct)", "(none)", "direct", 520.0),
    ("instagram", "social", "organic_social", 160.0),
    ("linkedin.com", "social", "organic_social", 40.0),
    ("news.example.com", "referral", "referral", 70.0),
    ("partner-blog.example.org", "referral", "referral", 45.0),
)
EMAIL_BASE_SESSIONS = 30.0

# New customers per day at demand 1 and scale 1 from unpaid channels; their order value.
BASELINE_NEW_CUSTOMERS: dict[str, float] = {
    "organic_search": 4.5,
    "direct": 2.8,
    "referral": 1.0,
    "organic_social": 0.9,
    "email": 0.6,
}
BASELINE_AOV = 85.0
BASELINE_PLAN_MIX = (0.6, 0.3, 0.1)

# Per channel web behaviour: (engaged rate, new-user rate, pages per session).
WEB_BEHAVIOUR: dict[str, tuple[float, float, float]] = {
    "search": (0.66, 0.55, 3.4),
    "social": (0.48, 0.70, 2.2),
    "display": (0.35, 0.75, 1.6),
    "video": (0.42, 0.72, 1.9),
    "organic_search": (0.62, 0.58, 3.1),
    "direct": (0.55, 0.30, 3.6),
    "referral": (0.60, 0.65, 2.8),
    "organic_social": (0.45, 0.60, 2.0),
    "email": (0.68, 0.10, 3.2),
}

# Customer plans: churn, repeat orders and order value per plan; channels of repeat orders.
PLANS = ("basic", "plus", "pro")
PLAN_CHURN_HAZARD = (0.08, 0.05, 0.03)  # per month
PLAN_REPEAT_RATE = (0.08, 0.14, 0.24)  # repeat orders per active month
PLAN_AOV = (50.0, 75.0, 120.0)
REPEAT_CHANNEL_MIX: dict[str, float] = {"direct": 0.40, "email": 0.35, "organic_search": 0.25}

# Leads: unpaid leads per day at demand 1; qualification and win rates per channel.
BASELINE_LEADS: dict[str, float] = {
    "organic_search": 1.6,
    "direct": 0.8,
    "referral": 0.5,
    "email": 0.4,
}
LEAD_QUALIFY_RATE: dict[str, float] = {
    "social": 0.30,
    "organic_search": 0.35,
    "direct": 0.30,
    "referral": 0.40,
    "email": 0.30,
}
LEAD_WIN_RATE = 0.30
LEAD_VALUE_MEAN = 2500.0

# Email: list size and growth, response rates, and sessions per click over the days after a send.
EMAIL_LIST_SIZE = 25000.0
EMAIL_LIST_GROWTH = 0.30  # per year
EMAIL_RATES = {"delivery": 0.982, "open": 0.24, "click": 0.12, "unsubscribe": 0.0025}
EMAIL_SESSION_KERNEL = (0.62, 0.22, 0.10, 0.06)
# Email clicks that become first orders (new customers), spread over the days after the click:
# readers come back to buy a day or two later, most often on the second day.
EMAIL_CLICK_TO_NEW_CUSTOMER = 0.03
EMAIL_PURCHASE_DELAY = (0.05, 0.20, 0.40, 0.20, 0.10, 0.05)
"""Share of an email click's orders placed 0, 1, … 5 days after it (sums to 1, mode 2 days)."""
