"""The canonical marketing data model: every table, column, type, unit, meaning and row rule.

This module is the single source of truth: the warehouse DDL, the checks of both import paths
(the general one and the straight one of ``shakhes load``), the formula checker and
docs/data-model.md are all derived from it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar

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
    def sql_type(self) -> str:
        """The column's type in the warehouse (DuckDB and PostgreSQL alike)."""
        return {
            "date": "DATE",
            "string": "VARCHAR",
            "integer": "BIGINT",
            "float": "DOUBLE PRECISION",
            "boolean": "BOOLEAN",
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
    minimum: float | None = None
    """The least value a number column takes (0: counts and amounts are never negative)."""
    allowed: tuple[str, ...] = ()
    """The only values a text column takes, when it has a vocabulary (the channels)."""
    pattern: str | None = None
    """A regular expression every value of a text column matches as a whole (the same in
    Python, Arrow and DuckDB), with :attr:`pattern_means` saying what it stands for."""
    pattern_means: str = ""


# ---- row rules ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule(ABC):
    """One check every row of a table passes, declared once here: the general import path
    checks it on Arrow columns, the straight path of canonical files in SQL, and
    docs/data-model.md lists it. A row that fails is refused — quarantined by an import, the
    whole file refused by a load — blamed on :attr:`column`, with :attr:`code` and
    :meth:`reason`."""

    column: str
    code: ClassVar[str]

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column the rule reads (it applies where all of them are written)."""
        return (self.column,)

    @abstractmethod
    def reason(self) -> str:
        """Why a row that fails it is refused, in words a marketer reads."""


@dataclass(frozen=True)
class Required(Rule):
    """A value in every row. An empty number cell is unknown, never 0; an empty text is a value
    (stored as written) where :attr:`blank_ok` — a guest order has no customer, an ad row may
    lack its campaign's name — and missing elsewhere."""

    numeric: bool = False
    blank_ok: bool = False
    code = "missing_value"

    def reason(self) -> str:
        if self.numeric:
            return (
                "unknown (an empty or NA cell is not read as 0): write the number, 0 if there "
                "was none, and import the row again"
            )
        return "missing required value"


@dataclass(frozen=True)
class WholeNumber(Rule):
    """An integer column takes whole numbers only (``1.5`` clicks is refused, not rounded)."""

    code = "not_whole_number"

    def reason(self) -> str:
        return "not a whole number"


@dataclass(frozen=True)
class AtLeast(Rule):
    """A number column's least value (:attr:`Column.minimum`)."""

    minimum: float = 0.0
    code = "below_minimum"

    def reason(self) -> str:
        if self.minimum == 0:
            return f"{self.column} is negative"
        return f"{self.column} is below {self.minimum:g}"


@dataclass(frozen=True)
class Matches(Rule):
    """A text column's shape (:attr:`Column.pattern`)."""

    pattern: str = ""
    means: str = ""
    code = "wrong_format"

    def reason(self) -> str:
        return f"not {self.means}"


@dataclass(frozen=True)
class NotAbove(Rule):
    """One column of a row never above another (clicks never above impressions)."""

    limit: str = ""
    code = "above_limit"

    @property
    def columns(self) -> tuple[str, ...]:
        return (self.column, self.limit)

    def reason(self) -> str:
        return f"more {self.column.replace('_', ' ')} than {self.limit.replace('_', ' ')}"


@dataclass(frozen=True)
class OneOf(Rule):
    """A text column's vocabulary (:attr:`Column.allowed`); a refused value gets a "did you
    mean" where one is near."""

    values: tuple[str, ...] = ()
    code = "unknown_value"

    def reason(self) -> str:
        return f"unknown {self.column}"


RULE_KINDS: tuple[type[Rule], ...] = (Required, WholeNumber, AtLeast, Matches, NotAbove, OneOf)
"""The kinds of rule, in the order a table's rules are checked and a row's problems reported."""


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    grain: str
    time_column: str
    natural_key: tuple[str, ...]
    columns: tuple[Column, ...]
    row_checks: tuple[NotAbove, ...] = field(default=())
    """Rules between the columns of a row (the column rules come with the columns)."""

    @property
    def rules(self) -> tuple[Rule, ...]:
        """Every rule of the table's rows, from its columns and :attr:`row_checks`, in the
        order of :data:`RULE_KINDS` (then of the columns); a rule between columns applies
        where the table has them all (a file that writes only some columns)."""
        found: list[Rule] = []
        for col in self.columns:
            if col.required:
                found.append(
                    Required(col.name, col.type.is_numeric, blank_ok=self.may_be_blank(col))
                )
            if col.type is ColumnType.INTEGER:
                found.append(WholeNumber(col.name))
            if col.minimum is not None:
                found.append(AtLeast(col.name, col.minimum))
            if col.pattern is not None:
                found.append(Matches(col.name, col.pattern, col.pattern_means))
            if col.allowed:
                found.append(OneOf(col.name, col.allowed))
        found += [r for r in self.row_checks if all(self.has_column(c) for c in r.columns)]
        return tuple(sorted(found, key=lambda r: RULE_KINDS.index(type(r))))

    def may_be_blank(self, col: Column) -> bool:
        """Whether an empty text is a value of ``col`` (stored as written) rather than a
        missing one: in a required text column outside the natural key with no vocabulary
        or shape of its own."""
        return (
            col.type is ColumnType.STRING
            and col.required
            and col.name not in self.natural_key
            and not col.allowed
            and col.pattern is None
        )

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
        minimum=0,
    )


def _money(name: str, meaning: str, *, required: bool = True) -> Column:
    return Column(name, ColumnType.FLOAT, meaning, unit="currency", required=required, minimum=0)


CURRENCY_CODE = "[A-Z]{3}"
"""What a currency code looks like: three capital letters, as ISO 4217 writes them."""

_CURRENCY = Column(
    "currency",
    ColumnType.STRING,
    "ISO 4217 code of the row's money columns (USD, EUR, IRR, IRT for toman).",
    is_dimension=True,
    pattern=CURRENCY_CODE,
    pattern_means="a 3-letter ISO currency code (USD, EUR, IRR…)",
)
_CHANNEL = Column(
    "channel",
    ColumnType.STRING,
    "Canonical channel (see the channel vocabulary).",
    is_dimension=True,
    allowed=tuple(CHANNELS),
)
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
                    minimum=0,
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
                    minimum=0,
                ),
                _count("video_views", "Video views as the platform counts them.", required=False),
                _count(
                    "engagements", "Likes, comments, shares and other interactions.", required=False
                ),
                _count(
                    "leads", "Lead-form submissions attributed by the platform.", required=False
                ),
            ),
            row_checks=(NotAbove("clicks", limit="impressions"),),
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
                    minimum=0,
                ),
                Column(
                    "new_users",
                    ColumnType.INTEGER,
                    "Users whose first visit was that day.",
                    unit="people",
                    minimum=0,
                ),
                _count("page_views", "Page and screen views."),
                _count("key_events", "Key events (formerly conversions in GA4)."),
                _money("revenue", "Total revenue GA4 attributes to the sessions."),
                _CURRENCY,
            ),
            row_checks=(NotAbove("engaged_sessions", limit="sessions"),),
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
