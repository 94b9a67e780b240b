"""The canonical marketing data model: every table, column, type, unit and meaning.

This module is the single source of truth: the warehouse DDL, the strict loader, the formula
checker and docs/data-model.md are all derived from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shakhes.errors import QueryError, nearest


class ColumnType(StrEnum):
    DATE = "date"
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"

    @property
    def ibis_type(self) -> str:
        return {
            "date": "date",
            "string": "string",
            "integer": "int64",
            "float": "float64",
            "boolean": "boolean",
        }[self.value]

    @property
    def is_numeric(self) -> bool:
        return self in (ColumnType.INTEGER, ColumnType.FLOAT)


class Additivity(StrEnum):
    """How a numeric column may be aggregated."""

    ADDITIVE = "additive"
    """Sums across days, campaigns and every other dimension."""
    NON_ADDITIVE = "non_additive"
    """A distinct count made by the platform (reach, users): only meaningful per row's own day."""


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    meaning: str
    unit: str = ""
    required: bool = True
    additivity: Additivity = Additivity.ADDITIVE
    is_dimension: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    grain: str
    time_column: str
    natural_key: tuple[str, ...]
    columns: tuple[Column, ...]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        hint = nearest(name, self.column_names)
        raise QueryError(
            f"unknown column '{name}' in {self.name}"
            + (f" — did you mean '{hint}'?" if hint else "")
        )

    def has_column(self, name: str) -> bool:
        return any(col.name == name for col in self.columns)

    @property
    def column_names(self) -> list[str]:
        return [col.name for col in self.columns]

    @property
    def dimensions(self) -> list[str]:
        return [col.name for col in self.columns if col.is_dimension]


CHANNELS: dict[str, str] = {
    "search": "Paid search ads (Google Ads search, Bing, Yektanet search placements).",
    "social": "Paid social ads (Meta, TikTok, LinkedIn, X).",
    "display": "Paid display and native ads (Google Display Network, Yektanet native).",
    "video": "Paid video ads (YouTube, Aparat).",
    "email": "Email campaigns and newsletters.",
    "affiliate": "Affiliate and partner programmes paid per sale or lead.",
    "referral": "Unpaid visits from links on other sites.",
    "organic_search": "Unpaid visits from search engines.",
    "organic_social": "Unpaid visits from social networks.",
    "direct": "Visits with no known source (typed URL, bookmark).",
    "other": "Anything that fits no channel above.",
}
"""The canonical channel vocabulary: every table's ``channel`` column takes one of these."""


def _dim(name: str, meaning: str, *, required: bool = True) -> Column:
    return Column(name, ColumnType.STRING, meaning, required=required, is_dimension=True)


def _count(name: str, meaning: str, *, required: bool = True, unit: str = "count") -> Column:
    return Column(
        name,
        ColumnType.FLOAT if unit == "currency" else ColumnType.INTEGER,
        meaning,
        unit=unit,
        required=required,
    )


def _money(name: str, meaning: str, *, required: bool = True) -> Column:
    return Column(name, ColumnType.FLOAT, meaning, unit="currency", required=required)


_CURRENCY = _dim(
    "currency", "ISO 4217 code of the row's money columns (USD, EUR, IRR, IRT for toman)."
)
_CHANNEL = _dim("channel", "Canonical channel (see the channel vocabulary).")
_CAMPAIGN = _dim("campaign", "Campaign name as the platform shows it.")

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            name="ad_performance",
            meaning="Paid media delivery and results, one row per day × platform × account × "
            "campaign × ad group (× ad).",
            grain="day × platform × account × campaign × ad group × ad",
            time_column="date",
            natural_key=("date", "platform", "account", "campaign_id", "ad_group", "ad"),
            columns=(
                Column("date", ColumnType.DATE, "Day the delivery happened (account time zone)."),
                _dim("platform", "Ad platform: google_ads, meta, tiktok, linkedin, yektanet, …"),
                _dim("account", "Ad account id or name."),
                _CHANNEL,
                _dim("campaign_id", "Platform's campaign id."),
                _CAMPAIGN,
                _dim("ad_group", "Ad group / ad set name."),
                _dim("ad", "Ad name; empty when the export is at ad-group level.", required=False),
                _CURRENCY,
                _count("impressions", "Times an ad was shown."),
                _count("clicks", "Clicks on the ad (link clicks for Meta)."),
                _money("cost", "Spend in the row's currency."),
                Column(
                    "conversions",
                    ColumnType.FLOAT,
                    "Conversions the platform attributes "
                    "(may be fractional under data-driven attribution).",
                    unit="count",
                ),
                _money("conversion_value", "Value of the attributed conversions."),
                Column(
                    "reach",
                    ColumnType.INTEGER,
                    "Distinct people reached that day, as counted "
                    "by the platform. Not additive across days.",
                    unit="people",
                    required=False,
                    additivity=Additivity.NON_ADDITIVE,
                ),
                _count("video_views", "Video views as the platform counts them.", required=False),
                _count(
                    "engagements", "Likes, comments, shares and other interactions.", required=False
                ),
                _count(
                    "leads", "Lead-form submissions attributed by the platform.", required=False
                ),
            ),
        ),
        Table(
            name="web_traffic",
            meaning="Website sessions and outcomes by day and traffic source, GA4 style.",
            grain="day × source × medium × campaign × device",
            time_column="date",
            natural_key=("date", "source", "medium", "campaign", "device"),
            columns=(
                Column("date", ColumnType.DATE, "Day of the session start."),
                _dim("source", "Traffic source (google, instagram, newsletter, (direct))."),
                _dim("medium", "Traffic medium (cpc, organic, email, referral, (none))."),
                _CHANNEL,
                _CAMPAIGN,
                _dim("device", "desktop, mobile or tablet."),
                _count("sessions", "Sessions that began (GA4 session_start)."),
                _count(
                    "engaged_sessions",
                    "Sessions longer than 10 s, with a key event, or with 2+ page views (GA4).",
                ),
                Column(
                    "users",
                    ColumnType.INTEGER,
                    "Distinct users that day. Not additive across days.",
                    unit="people",
                    additivity=Additivity.NON_ADDITIVE,
                ),
                Column(
                    "new_users",
                    ColumnType.INTEGER,
                    "Users whose first visit was that day.",
                    unit="people",
                ),
                _count("page_views", "Page and screen views."),
                _count("key_events", "Key events (formerly conversions in GA4)."),
                _money("revenue", "Total revenue GA4 attributes to the sessions."),
                _CURRENCY,
            ),
        ),
        Table(
            name="orders",
            meaning="Shop orders, one row per order.",
            grain="order",
            time_column="order_date",
            natural_key=("order_id",),
            columns=(
                _dim("order_id", "Order id in the shop."),
                Column("order_date", ColumnType.DATE, "Day the order was placed."),
                _dim("customer_id", "Customer who placed it."),
                _CHANNEL,
                _CAMPAIGN,
                _money("revenue", "Order revenue net of discounts, before refunds."),
                _CURRENCY,
                Column(
                    "is_new_customer", ColumnType.BOOLEAN, "True for the customer's first order."
                ),
            ),
        ),
        Table(
            name="customers",
            meaning="Customers (subscribers or buyers), one row per customer.",
            grain="customer",
            time_column="acquired_date",
            natural_key=("customer_id",),
            columns=(
                _dim("customer_id", "Customer id."),
                Column("acquired_date", ColumnType.DATE, "Day the customer was acquired."),
                Column(
                    "churned_date",
                    ColumnType.DATE,
                    "Day the customer churned; empty while active.",
                    required=False,
                ),
                _CHANNEL,
                _CAMPAIGN,
                _dim("plan", "Plan or segment."),
                _money("monthly_value", "Recurring revenue per month from this customer."),
                _CURRENCY,
            ),
        ),
        Table(
            name="leads",
            meaning="Leads from forms and sales, one row per lead.",
            grain="lead",
            time_column="created_date",
            natural_key=("lead_id",),
            columns=(
                _dim("lead_id", "Lead id."),
                Column("created_date", ColumnType.DATE, "Day the lead came in."),
                _CHANNEL,
                _CAMPAIGN,
                Column(
                    "qualified_date",
                    ColumnType.DATE,
                    "Day sales qualified the lead; empty if not (yet).",
                    required=False,
                ),
                Column(
                    "won_date",
                    ColumnType.DATE,
                    "Day the lead became a customer; empty if not (yet).",
                    required=False,
                ),
                _money("value", "Deal value when won (0 or empty otherwise).", required=False),
                _CURRENCY,
            ),
        ),
        Table(
            name="email_campaigns",
            meaning="Email sends and responses, one row per day × campaign.",
            grain="day × campaign",
            time_column="date",
            natural_key=("date", "campaign"),
            columns=(
                Column("date", ColumnType.DATE, "Day of the send (responses counted on it)."),
                _CAMPAIGN,
                _count("sent", "Emails sent."),
                _count("delivered", "Emails delivered (sent − bounces)."),
                _count("opens", "Unique opens."),
                _count("clicks", "Unique clicks."),
                _count("unsubscribes", "Unsubscribes."),
                _count("bounces", "Bounced emails."),
            ),
        ),
    )
}


def table(name: str) -> Table:
    """The canonical table called ``name``; a clear error with a suggestion otherwise."""
    try:
        return TABLES[name]
    except KeyError:
        hint = nearest(name, TABLES)
        raise QueryError(
            f"unknown table '{name}'" + (f" — did you mean '{hint}'?" if hint else ""),
            hint=f"Canonical tables: {', '.join(TABLES)}.",
        ) from None
