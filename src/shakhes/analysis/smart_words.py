"""The words of the SMART check, in English and Persian.

:mod:`shakhes.analysis.smart` gives each reason and suggestion a code and its numbers; this
module words them. A template names each number with how to show it — ``{needed:change}`` (a
relative change, +42%), ``{base:value}`` (in the KPI's unit), ``{met:number}``,
``{end:date}``, ``{unit:word}`` (a word of :data:`VOCABULARY`), ``{table}`` (as it is) — and
the front-end supplies the formatting (:class:`Numbers`): the command line its own, with
Persian digits and separators in a Persian workspace; :class:`PlainNumbers` otherwise. In
Persian, a text parameter ``x`` is replaced by ``x_fa`` when there is one (period labels).

>>> from shakhes.analysis.smart import Reason, Status
>>> reason = Reason(Status.WARN, "too_easy", {"met": 11, "periods": 12})
>>> render(reason.code, reason.params, "en")
'met in 11 of the last 12 comparable periods: too easy'
>>> render(reason.code, reason.params, "fa")
'در ۱۱ دوره از ۱۲ دوره مشابه گذشته محقق شده است: بیش از حد آسان'
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Mapping
from typing import Any, Protocol

from shakhes.spec.goals import Calendar, Every, PeriodSpec
from shakhes.text import to_persian_digits

__all__ = ["TEMPLATES", "VOCABULARY", "Numbers", "PlainNumbers", "describe_period_fa", "render"]


class Numbers(Protocol):
    """How a front-end shows the numbers of a reason."""

    def value(self, number: float) -> str:
        """A value in the KPI's unit (``226,054 USD``, ``2.5%``)."""
        ...

    def change(self, number: float) -> str:
        """A relative change: ``0.42`` → ``+42%``."""
        ...

    def number(self, number: float) -> str:
        """A plain number (a count, a percentile)."""
        ...

    def date(self, day: dt.date) -> str:
        """A day."""
        ...


class PlainNumbers:
    """Numbers without a KPI's unit: values with up to two decimals, changes as signed
    percents with one, days as :func:`~shakhes.display.format_day` writes them; Persian digits
    in ``fa``."""

    def __init__(self, locale: str = "en", calendar: str = "gregorian") -> None:
        self.locale, self.calendar = locale, calendar

    def _digits(self, text: str) -> str:
        if self.locale != "fa":
            return text
        return to_persian_digits(text.replace(",", "٬").replace(".", "٫"))

    def value(self, number: float) -> str:
        text = f"{number:,.2f}".rstrip("0").rstrip(".") if abs(number) >= 0.01 else f"{number:.3g}"
        return self._digits(text)

    def change(self, number: float) -> str:
        sign = "%" if self.locale != "fa" else "٪"
        return self._digits(f"{number * 100:+.1f}") + sign

    def number(self, number: float) -> str:
        return self._digits(f"{number:.1f}".removesuffix(".0"))

    def date(self, day: dt.date) -> str:
        from shakhes.display import format_day

        return format_day(day, self.locale, self.calendar)


VOCABULARY: dict[str, dict[str, str]] = {
    "en": {
        "count": "count",
        "currency": "currency",
        "percent": "percent",
        "ratio": "ratio",
        "duration": "duration",
        "higher_is_better": "higher is better",
        "lower_is_better": "lower is better",
        "all": "all data",
        "none": "no target",
        "period": "the period",
        "so_far": "the period so far",
        "recent": "the last year",
    },
    "fa": {
        "count": "تعداد",
        "currency": "مبلغ",
        "percent": "درصد",
        "ratio": "نسبت",
        "duration": "مدت",
        "higher_is_better": "بیشتر بهتر است",
        "lower_is_better": "کمتر بهتر است",
        "all": "همه داده‌ها",
        "none": "بدون هدف",
        "period": "دوره",
        "so_far": "دوره تا امروز",
        "recent": "یک سال گذشته",
    },
}
"""Words that a template shows with ``:word`` (units, directions, scopes, windows)."""

TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        # S
        "specific": "description, unit ({unit:word}), direction ({direction:word}) and scope "
        "({scope:word}) are defined; the formula is one measure ({measures:number} "
        "aggregate(s))",
        "description_is_name": "the description only repeats the name ({name})",
        "description_short": "the description has {words:number} word(s); fewer than "
        "{min_words:number} does not say what is counted",
        "formula_unreadable": "the KPI cannot be computed (see M), so whether its formula is "
        "one clear measure is unknown",
        "many_measures": "the formula combines {measures:number} aggregates (more than "
        "{max_measures:number}): it is not one clear measure",
        # M
        "measurable": "the formula compiles; {tables}: {rows:number} row(s) in {kind:word} "
        "({start:date} – {end:date})",
        "does_not_compile": "the KPI cannot be computed for this period: {error}",
        "scope_does_not_fit": "the scope '{scope}' does not fit the KPI's tables: {error}",
        "table_empty": "{table} has no rows at all",
        "no_rows_in_scope": "{table} has no rows in the scope '{scope}' on any day",
        "no_rows_in_period": "{table} has no rows in the period ({start:date} – {end:date}); "
        "its data ends {through:date}",
        "no_rows_yet": "{table} has no rows in the period yet ({start:date} – {end:date}); its "
        "data ends {through:date}",
        "no_recent_rows": "{table} has no rows in the last year ({start:date} – {end:date}); "
        "its data ends {through:date}",
        # A
        "base.last_year": "{base_label} ({base:value})",
        "base.recent_average": "the average of {base_label} ({base:value}; no value a year before)",
        "within_history": "needs {needed:change} on {base_text}: percentile "
        "{percentile:number} of the year-on-year changes of the last {years:number} years "
        "(ambitious beyond {ambitious:change}, the {ambitious_percentile:number}th "
        "percentile; best {best:change} in {best_label}): within reach",
        "ambitious": "needs {needed:change} on {base_text}: percentile {percentile:number} of "
        "the year-on-year changes of the last {years:number} years, beyond "
        "{ambitious:change} (the {ambitious_percentile:number}th percentile; best "
        "{best:change} in {best_label}): ambitious",
        "unrealistic": "needs {needed:change} on {base_text}; the best year-on-year change in "
        "{years:number} years was {best:change} ({best_label}): unrealistic (percentile "
        "{percentile:number}; ambitious beyond {ambitious:change}, the "
        "{ambitious_percentile:number}th percentile)",
        "little_history": "needs {needed:change} on {base_text}, but the data has only "
        "{changes:number} year-on-year change(s) to compare with ({min_changes:number} "
        "needed): too little history to judge",
        "no_base": "no complete comparable period before this one to compare the target with: "
        "too little history to judge",
        "base_not_positive": "the comparable period a year before ({base_label}) was "
        "{base:value}: a change from 0 or below is no percentage, so the target cannot be "
        "placed in the history",
        "no_history": "the KPI's history could not be computed: {error}",
        "no_target_to_judge": "there is no target to place in the KPI's history",
        "too_easy": "met in {met:number} of the last {periods:number} comparable periods: too easy",
        # R
        "linked": "measures goal(s) {goals}",
        "linked_drives": "measures goal(s) {goals} and drives {drives}",
        "no_goal": "no goal lists this KPI",
        "leading_drives_nothing": "a leading KPI, but no goal says which lagging KPI it drives",
        "strategic_alone": "strategic in goal {goal}, but no operational or functional KPI "
        "(nor a leading KPI driving it) is under it",
        "target_outside_goal": "the target names goal {goal}, but its period does not meet "
        "the goal's ({start:date} – {end:date})",
        # T
        "has_period": "target period: {period}",
        "has_recurring_period": "target period: {period} (now {label})",
        "starts_later": "target period: {period}; it starts {start:date}",
        "period_over": "the target's period ({period}) ended {end:date}",
        "no_target": "there is no target: no value to reach and no period to reach it in",
        # suggestions
        "write_description": "Say what is counted, from which data, and why it matters.",
        "split_formula": "Split it into KPIs of one measure each and refer to them.",
        "fix_formula": "Fix the formula (shown with the error) or the data it reads.",
        "fix_scope": "Filter on a column that every table it reads has ({tables}).",
        "fix_scope_or_import": "Check the scope's values for typos, or import the data it "
        "should match.",
        "import_table": "Import the data this KPI reads.",
        "import_period": "Import {table} data for this period.",
        "set_target": "Set a target: a value (or a band) and a period.",
        "aim_within_history": "Aim within what history shows: {at_ambitious:value} is "
        "{ambitious:change}, {at_best:value} the best change ({best:change}); or back the "
        "jump with a plan (budget, new channel) and say so in the target's note.",
        "back_with_plan": "Make sure a plan (budget, a new channel, an offer) backs the jump.",
        "raise_target": "Make it harder, towards what is met about half the time: the median "
        "of those periods was {median:value}.",
        "narrow_band": "Narrow the band: the KPI stayed inside it almost every period.",
        "link_goal": "Link it to the goal it serves (add it to the goal's KPIs).",
        "name_driven": "Name the lagging KPI(s) it is meant to drive in its goal.",
        "add_operational": "Add the operational KPIs that move it to goal {goal}, or a leading "
        "KPI that drives it.",
        "align_target_goal": "Move the target into the goal's period, or link it to another goal.",
        "set_next_period": "Set a target for the next period.",
    },
    "fa": {
        # S
        "specific": "توضیح، واحد ({unit:word})، جهت ({direction:word}) و دامنه "
        "({scope:word}) تعریف شده‌اند؛ فرمول یک سنجه است ({measures:number} تجمیع)",
        "description_is_name": "توضیح فقط نام را تکرار می‌کند ({name})",
        "description_short": "توضیح {words:number} واژه دارد؛ کمتر از {min_words:number} واژه "
        "نمی‌گوید چه چیزی شمرده می‌شود",
        "formula_unreadable": "شاخص محاسبه‌پذیر نیست (بخش M را ببینید)، پس روشن نیست که "
        "فرمولش یک سنجه روشن است",
        "many_measures": "فرمول {measures:number} تجمیع را با هم ترکیب می‌کند (بیش از "
        "{max_measures:number}): یک سنجه روشن نیست",
        # M
        "measurable": "فرمول کامپایل می‌شود؛ {tables}: {rows:number} ردیف در {kind:word} "
        "({start:date} تا {end:date})",
        "does_not_compile": "شاخص برای این دوره محاسبه‌پذیر نیست: {error}",
        "scope_does_not_fit": "دامنه '{scope}' با جدول‌های شاخص جور نیست: {error}",
        "table_empty": "جدول {table} هیچ ردیفی ندارد",
        "no_rows_in_scope": "جدول {table} در دامنه '{scope}' در هیچ روزی ردیف ندارد",
        "no_rows_in_period": "جدول {table} در این دوره ({start:date} تا {end:date}) ردیفی "
        "ندارد؛ داده‌هایش تا {through:date} است",
        "no_rows_yet": "جدول {table} هنوز در این دوره ({start:date} تا {end:date}) ردیفی "
        "ندارد؛ داده‌هایش تا {through:date} است",
        "no_recent_rows": "جدول {table} در یک سال گذشته ({start:date} تا {end:date}) ردیفی "
        "ندارد؛ داده‌هایش تا {through:date} است",
        # A
        "base.last_year": "{base_label} ({base:value})",
        "base.recent_average": "میانگین {base_label} ({base:value}؛ یک سال پیش مقداری نیست)",
        "within_history": "نسبت به {base_text} به {needed:change} تغییر نیاز دارد: صدک "
        "{percentile:number} تغییرهای سال‌به‌سال در {years:number} سال گذشته (بلندپروازانه از "
        "{ambitious:change} به بالا، صدک {ambitious_percentile:number}؛ بهترین "
        "{best:change} در {best_label}): دست‌یافتنی",
        "ambitious": "نسبت به {base_text} به {needed:change} تغییر نیاز دارد: صدک "
        "{percentile:number} تغییرهای سال‌به‌سال در {years:number} سال گذشته، فراتر از "
        "{ambitious:change} (صدک {ambitious_percentile:number}؛ بهترین {best:change} در "
        "{best_label}): بلندپروازانه",
        "unrealistic": "نسبت به {base_text} به {needed:change} تغییر نیاز دارد؛ بهترین تغییر "
        "سال‌به‌سال در {years:number} سال گذشته {best:change} ({best_label}) بوده است: "
        "غیرواقع‌بینانه (صدک {percentile:number}؛ بلندپروازانه از {ambitious:change} به بالا، "
        "صدک {ambitious_percentile:number})",
        "little_history": "نسبت به {base_text} به {needed:change} تغییر نیاز دارد، اما داده‌ها "
        "فقط {changes:number} تغییر سال‌به‌سال برای مقایسه دارند ({min_changes:number} لازم "
        "است): سابقه برای داوری کافی نیست",
        "no_base": "پیش از این دوره هیچ دوره مشابه کاملی برای مقایسه با هدف نیست: سابقه برای "
        "داوری کافی نیست",
        "base_not_positive": "دوره مشابه یک سال پیش ({base_label}) {base:value} بود: تغییر از "
        "صفر یا کمتر درصدی ندارد، پس هدف را نمی‌توان در سابقه سنجید",
        "no_history": "سابقه شاخص محاسبه نشد: {error}",
        "no_target_to_judge": "هدفی نیست که در سابقه شاخص سنجیده شود",
        "too_easy": "در {met:number} دوره از {periods:number} دوره مشابه گذشته محقق شده است: "
        "بیش از حد آسان",
        # R
        "linked": "سنجه هدف(های) {goals} است",
        "linked_drives": "سنجه هدف(های) {goals} است و {drives} را پیش می‌برد",
        "no_goal": "هیچ هدفی این شاخص را فهرست نکرده است",
        "leading_drives_nothing": "شاخصی پیشرو است، اما هیچ هدفی نمی‌گوید کدام شاخص پسرو را "
        "پیش می‌برد",
        "strategic_alone": "در هدف {goal} راهبردی است، اما هیچ شاخص عملیاتی یا کارکردی (یا "
        "شاخص پیشرویی که آن را پیش ببرد) زیر آن نیست",
        "target_outside_goal": "هدف‌گذاری به هدف {goal} اشاره می‌کند، اما دوره‌اش با دوره هدف "
        "({start:date} تا {end:date}) هم‌پوشانی ندارد",
        # T
        "has_period": "دوره هدف‌گذاری: {period}",
        "has_recurring_period": "دوره هدف‌گذاری: {period} (اکنون {label})",
        "starts_later": "دوره هدف‌گذاری: {period}؛ از {start:date} آغاز می‌شود",
        "period_over": "دوره هدف‌گذاری ({period}) در {end:date} به پایان رسیده است",
        "no_target": "هدف‌گذاری‌ای نیست: نه مقداری برای رسیدن و نه دوره‌ای برای رسیدن به آن",
        # suggestions
        "write_description": "بنویسید چه چیزی، از کدام داده و چرا شمرده می‌شود.",
        "split_formula": "آن را به شاخص‌هایی با یک سنجه بشکنید و به آن‌ها ارجاع دهید.",
        "fix_formula": "فرمول (که با خطا نشان داده شده) یا داده‌هایی را که می‌خواند درست کنید.",
        "fix_scope": "بر ستونی فیلتر کنید که همه جدول‌های شاخص دارند ({tables}).",
        "fix_scope_or_import": "مقدارهای دامنه را از نظر غلط املایی بررسی کنید، یا داده‌ای را "
        "که باید با آن جور شود وارد کنید.",
        "import_table": "داده‌هایی را که این شاخص می‌خواند وارد کنید.",
        "import_period": "داده‌های {table} را برای این دوره وارد کنید.",
        "set_target": "یک هدف‌گذاری تعیین کنید: یک مقدار (یا بازه) و یک دوره.",
        "aim_within_history": "در حد آنچه سابقه نشان می‌دهد هدف بگذارید: {at_ambitious:value} "
        "برابر {ambitious:change} و {at_best:value} برابر بهترین تغییر ({best:change}) است؛ یا "
        "این جهش را با برنامه‌ای (بودجه، کانال تازه) پشتیبانی کنید و در یادداشت هدف‌گذاری "
        "بنویسید.",
        "back_with_plan": "مطمئن شوید برنامه‌ای (بودجه، کانال تازه، پیشنهاد ویژه) پشتیبان این "
        "جهش است.",
        "raise_target": "آن را سخت‌تر کنید، به سمت مقداری که حدود نیمی از دوره‌ها به آن "
        "رسیده‌اند: میانه آن دوره‌ها {median:value} بود.",
        "narrow_band": "بازه را تنگ‌تر کنید: شاخص تقریباً در همه دوره‌ها درون آن ماند.",
        "link_goal": "آن را به هدفی که به آن خدمت می‌کند پیوند دهید (به شاخص‌های هدف بیفزایید).",
        "name_driven": "در هدفش شاخص(های) پسرویی را که قرار است پیش ببرد نام ببرید.",
        "add_operational": "شاخص‌های عملیاتی که آن را جابه‌جا می‌کنند، یا شاخصی پیشرو که آن را "
        "پیش می‌برد، به هدف {goal} بیفزایید.",
        "align_target_goal": "هدف‌گذاری را به دوره هدف ببرید، یا به هدف دیگری پیوند دهید.",
        "set_next_period": "برای دوره بعد هدف‌گذاری کنید.",
    },
}
"""Each reason's and suggestion's words, by locale and code."""


_EVERY_FA = {Every.MONTH: "ماه", Every.QUARTER: "فصل", Every.YEAR: "سال"}
_CALENDAR_FA = {Calendar.GREGORIAN: "میلادی", Calendar.JALALI: "خورشیدی", Calendar.FISCAL: "مالی"}


def describe_period_fa(period: PeriodSpec, calendar: str = "gregorian") -> str:
    """A target's period in Persian, as :meth:`PeriodSpec.describe` words it in English; its
    days in ``calendar`` (a recurring period's bounds in its own calendar).

    >>> describe_period_fa(PeriodSpec(every="month", calendar="jalali", start="2025-04-21"))
    'هر ماه خورشیدی از ۱۴۰۴/۰۲/۰۱'
    >>> describe_period_fa(PeriodSpec(start="2025-03-21", end="2026-03-20"))
    '۲۰۲۵/۰۳/۲۱ تا ۲۰۲۶/۰۳/۲۰'
    """
    from shakhes.display import format_day

    if period.every is None or period.calendar is None:
        assert period.start is not None and period.end is not None
        start, end = (format_day(d, "fa", calendar) for d in (period.start, period.end))
        return f"{start} تا {end}"
    calendar = "jalali" if period.calendar is Calendar.JALALI else calendar
    text = f"هر {_EVERY_FA[period.every]} {_CALENDAR_FA[period.calendar]}"
    if period.start is not None:
        text += f" از {format_day(period.start, 'fa', calendar)}"
    if period.end is not None:
        text += f" تا {format_day(period.end, 'fa', calendar)}"
    return text


class _Formatter(string.Formatter):
    def __init__(self, locale: str, numbers: Numbers) -> None:
        self.locale = locale
        self.numbers = numbers

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if self.locale == "fa" and isinstance(key, str) and kwargs.get(f"{key}_fa"):
            return kwargs[f"{key}_fa"]
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if value is None:
            return "—"
        if format_spec == "value":
            return self.numbers.value(float(value))
        if format_spec == "change":
            return self.numbers.change(float(value))
        if format_spec == "number":
            return self.numbers.number(float(value))
        if format_spec == "date":
            day = dt.date.fromisoformat(value) if isinstance(value, str) else value
            return self.numbers.date(day)
        if format_spec == "word":
            return VOCABULARY[self.locale].get(str(value), str(value))
        text = str(value)
        return to_persian_digits(text) if self.locale == "fa" and text.isdigit() else text


def render(
    code: str, params: Mapping[str, Any], locale: str = "en", numbers: Numbers | None = None
) -> str:
    """The words of ``code`` with ``params`` in ``locale`` (``en`` or ``fa``; English for any
    other), numbers shown by ``numbers`` (default :class:`PlainNumbers`)."""
    locale = locale if locale in TEMPLATES else "en"
    formatter = _Formatter(locale, numbers or PlainNumbers(locale))
    values = dict(params)
    kind = values.get("base_kind")
    if kind is not None:
        values["base_text"] = formatter.vformat(TEMPLATES[locale][f"base.{kind}"], (), values)
    return formatter.vformat(TEMPLATES[locale][code], (), values)
