"""One Plotly chart per tracked target: the KPI to date, the pacing line, the forecast band and
the target.

Plotly writes its own axis labels in Latin digits and Gregorian months (its ``fa`` locale even
names Gregorian months with Jalali names), so every label is computed here: the days on the
axis (Jalali in a Jalali workspace), the values (Persian digits in Persian) and the hover
texts. In Persian the value axis and the legend sit on the right; time still runs left to
right, as in Persian business charts (plotly.js draws every chart left to right).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import TYPE_CHECKING

from shakhes.display import currency_label, format_day, format_number, format_value, percent_sign
from shakhes.report.words import WORDS
from shakhes.spec.kpi import Unit

if TYPE_CHECKING:
    from shakhes.service.report import TargetChart
    from shakhes.service.status import TargetStatus
    from shakhes.spec.kpi import KpiSpec

COLOURS = {
    "actual": "#1f4e79",
    "expected": "#8c8c8c",
    "forecast": "#d9822b",
    "band": "rgba(217, 130, 43, 0.18)",
    "target": "#2e7d32",
    "comparison": "#9e9e9e",
    "mark": "#c62828",
}
TICKS = 6
"""About how many labels an axis gets."""


CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["toImage"]}
"""The charts' plotly config: no logo, no download button, resized with the page."""


def figure_html(
    chart: TargetChart,
    target: TargetStatus,
    *,
    lang: str,
    calendar: str,
    currency: str,
    font: str,
    comparison: tuple[float | None, ...] | None = None,
    marks: tuple[tuple[dt.date, str], ...] = (),
) -> str:
    """The chart as an HTML ``<div>`` and its script (Plotly's JavaScript not included).

    ``comparison``: the KPI to date over the comparison period's days, one per day of the
    chart (the web pages' KPI page); ``marks``: days to mark on the actual line, each with its
    hover text (anomalies)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    words = chart_words(lang)
    spec = target.kpi
    x = [d.isoformat() for d in chart.days]

    def hover(values: tuple[float | None, ...]) -> list[str]:
        return [
            f"{format_day(d, lang, calendar, 'long')}: {shown(v)}" if v is not None else ""
            for d, v in zip(chart.days, values, strict=True)
        ]

    def shown(value: float) -> str:
        return format_value(value, spec, currency=currency, locale=lang)

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=x, y=list(chart.forecast_low), mode="lines", line={"width": 0},
            hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=x,
            y=list(chart.forecast_high),
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor=COLOURS["band"],
            name=words["chart_band"],
            hoverinfo="skip",
        )
    )
    lines = (
        ("expected", chart.expected, "dot"),
        ("forecast", chart.forecast, "dash"),
        ("actual", chart.actual, "solid"),
    )
    for key, values, dash in lines:
        fig.add_trace(
            go.Scatter(
                x=x,
                y=list(values),
                mode="lines",
                name=words[f"chart_{key}"],
                line={"color": COLOURS[key], "dash": dash, "width": 3 if key == "actual" else 2},
                customdata=hover(values),
                hovertemplate="%{customdata}<extra></extra>",
            )
        )
    if comparison is not None:
        fig.add_trace(_comparison_trace(x, comparison, hover(comparison), words["comparison"]))
    if marks:
        at = dict(zip(chart.days, chart.actual, strict=True))
        fig.add_trace(_marks_trace(marks, at, words["chart_anomaly"]))
    spec_t = target.spec
    bounds: list[float | None] = (
        [spec_t.value] if spec_t.value is not None else [spec_t.min, spec_t.max]
    )
    for i, bound in enumerate([b for b in bounds if b is not None]):
        fig.add_trace(
            go.Scatter(
                x=[x[0], x[-1]],
                y=[bound, bound],
                mode="lines",
                name=words["chart_target"],
                showlegend=i == 0,
                line={"color": COLOURS["target"], "dash": "longdash", "width": 1.5},
                hovertemplate=shown(bound) + "<extra></extra>",
            )
        )
    drawn = (chart.actual, chart.expected, chart.forecast_low, chart.forecast_high, bounds,
             comparison or ())  # fmt: skip
    ys = [v for series in drawn for v in series if v is not None]
    fig.update_layout(**_layout(chart.days, ys, spec.unit, lang, calendar, currency, font))
    html: str = pio.to_html(
        fig,
        include_plotlyjs=False,
        full_html=False,
        config=CONFIG,
        div_id=f"chart-{target.spec.id}",
    )
    return html


def daily_html(
    spec: KpiSpec,
    days: tuple[dt.date, ...],
    values: tuple[float | None, ...],
    *,
    comparison: tuple[float | None, ...] | None,
    marks: tuple[tuple[dt.date, str], ...] = (),
    lang: str,
    calendar: str,
    currency: str,
    font: str,
    div_id: str,
) -> str:
    """A KPI day by day (one value a day), the comparison period's days beside it (aligned by
    their place in the period) and ``marks`` (anomalies) on its line, as :func:`figure_html`
    draws it: the same axes, labels and colours. Written as plain data, not plotly's figure
    objects (a KPI page draws one on every first visit; the objects' checks took two thirds
    of its time), with plotly's default template as the objects add it."""
    words = chart_words(lang)
    x = [d.isoformat() for d in days]

    def hover(series: tuple[float | None, ...]) -> list[str]:
        return [
            f"{format_day(d, lang, calendar, 'long')}: "
            f"{format_value(v, spec, currency=currency, locale=lang)}"
            if v is not None
            else ""
            for d, v in zip(days, series, strict=True)
        ]

    traces: list[dict[str, object]] = []
    if comparison is not None:
        traces.append(_comparison_trace(x, comparison, hover(comparison), words["comparison"]))
    traces.append(
        {
            "type": "scatter",
            "x": x,
            "y": list(values),
            "mode": "lines",
            "name": words["chart_daily"],
            "line": {"color": COLOURS["actual"], "width": 2.5},
            "customdata": hover(values),
            "hovertemplate": "%{customdata}<extra></extra>",
        }
    )
    if marks:
        at = dict(zip(days, values, strict=True))
        traces.append(_marks_trace(marks, at, words["chart_anomaly"]))
    ys = [v for series in (values, comparison or ()) for v in series if v is not None]
    layout = _layout(days, ys, spec.unit, lang, calendar, currency, font)
    return _html(traces, layout, div_id)


def _html(traces: list[dict[str, object]], layout: dict[str, object], div_id: str) -> str:
    """A chart of plain ``traces`` and ``layout`` as an HTML ``<div>`` and its script, as
    plotly's figure objects write it (unset values left out, the default template added)."""
    import plotly.io as pio

    figure = {"data": _set(traces), "layout": _set({**layout, "template": _template()})}
    html: str = pio.to_html(
        figure,
        include_plotlyjs=False,
        full_html=False,
        config=CONFIG,
        div_id=div_id,
        validate=False,
    )
    return html


def _set(value: object) -> object:
    """``value`` without its unset (None) entries, all the way down: plotly's objects leave
    them out."""
    if isinstance(value, dict):
        return {k: _set(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_set(v) for v in value]
    return value


@functools.cache
def _template() -> dict[str, object]:
    """Plotly's default template, as its figure objects add it to a figure's layout."""
    import plotly.io as pio

    template: dict[str, object] = pio.templates[pio.templates.default].to_plotly_json()
    return template


def _comparison_trace(
    x: list[str], values: tuple[float | None, ...], hover: list[str], name: str
) -> dict[str, object]:
    return {
        "type": "scatter",
        "x": x,
        "y": list(values),
        "mode": "lines",
        "name": name,
        "line": {"color": COLOURS["comparison"], "width": 1.5},
        "customdata": hover,
        "hovertemplate": "%{customdata}<extra></extra>",
    }


def _marks_trace(
    marks: tuple[tuple[dt.date, str], ...], at: dict[dt.date, float | None], name: str
) -> dict[str, object]:
    """Red rings on the line at each marked day (a day without a value is not marked)."""
    shown = [(d, text) for d, text in marks if at.get(d) is not None]
    return {
        "type": "scatter",
        "x": [d.isoformat() for d, _ in shown],
        "y": [at[d] for d, _ in shown],
        "mode": "markers",
        "name": name,
        "marker": {
            "color": COLOURS["mark"],
            "size": 11,
            "symbol": "circle-open",
            "line": {"width": 3},
        },
        "customdata": [text for _, text in shown],
        "hovertemplate": "%{customdata}<extra></extra>",
    }


def _layout(
    days: tuple[dt.date, ...],
    ys: list[float],
    unit: Unit,
    lang: str,
    calendar: str,
    currency: str,
    font: str,
) -> dict[str, object]:
    """The layout every chart shares: computed tick labels on both axes (Jalali days and
    Persian digits where they belong), the value axis and legend on the right in Persian."""
    yvals, ytext = value_ticks(min([0.0, *ys]), max([0.0, *ys]), unit, lang)
    xvals = day_ticks(days)
    x = [d.isoformat() for d in days]
    rtl = lang == "fa"
    title = currency_label(currency, lang) if unit is Unit.CURRENCY else ""
    side = "right" if rtl else "left"
    # Room for the value labels and the title: plotly.js measures Persian digits short, so
    # its automargin alone leaves the longest labels cut off.
    room = 8 * max(len(t) for t in ytext) + 10
    layout: dict[str, object] = {
        "height": 340,
        "margin": {"l": 20, "r": 20, "t": 20, "b": 30, side[:1]: room},
        "font": {"family": font, "size": 13},
        "separators": "٫٬" if rtl else ".,",
        "legend": {  # below the plot: on a narrow screen it wraps without covering it
            "orientation": "h",
            "y": -0.12,
            "yanchor": "top",
            "x": 1 if rtl else 0,
            "xanchor": "right" if rtl else "left",
        },
        "hovermode": "x unified",
        "plot_bgcolor": "white",
        "xaxis": {
            "type": "date",
            "tickvals": [d.isoformat() for d in xvals],
            "ticktext": [format_day(d, lang, calendar, "short") for d in xvals],
            "gridcolor": "#eee",
            "range": [x[0], x[-1]] if x else None,
        },
        "yaxis": {
            "tickvals": yvals,
            "ticktext": ytext,
            "range": [yvals[0], yvals[-1]],
            "side": side,
            "automargin": True,  # room for the longest label on either side
            "gridcolor": "#eee",
            "zeroline": True,
            "zerolinecolor": "#ccc",
        },
    }
    if title:  # the unit above the value axis (an axis title would sit on the labels: `room`)
        layout["annotations"] = [
            {
                "text": title,
                "xref": "paper",
                "yref": "paper",
                "x": 1 if rtl else 0,
                "y": 1,
                "xanchor": "left" if rtl else "right",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"color": "#5b6673"},
            }
        ]
    return layout


def chart_words(lang: str) -> dict[str, str]:
    """The words of a chart's legend: in Persian each in a right-to-left embedding, since
    plotly.js writes its text left to right (``بازه ۸۰٪`` would read ``٪بازه ۸۰``)."""
    words = WORDS[lang]
    if lang != "fa":
        return words
    return {key: f"\u202b{text}\u202c" for key, text in words.items()}


def day_ticks(days: tuple[dt.date, ...]) -> list[dt.date]:
    """About :data:`TICKS` days from the first, a whole number of days apart (a week for a
    month; the last day when it falls far enough from the previous label).

    >>> [d.day for d in day_ticks(tuple(dt.date(2025, 4, d) for d in range(1, 31)))]
    [1, 8, 15, 22, 29]
    """
    if not days:
        return []
    step = max(1, math.ceil(len(days) / TICKS))
    if 5 <= step <= 9:
        step = 7
    return [days[i] for i in range(0, len(days), step)]


def value_ticks(low: float, high: float, unit: Unit, lang: str) -> tuple[list[float], list[str]]:
    """Round values from ``low`` to ``high`` and their labels (a percent KPI's fraction
    shown as a percent; Persian digits and separators in Persian).

    >>> value_ticks(0, 1000, Unit.COUNT, "fa")[1]
    ['۰', '۲۰۰', '۴۰۰', '۶۰۰', '۸۰۰', '۱٬۰۰۰']
    """
    scale = 100.0 if unit is Unit.PERCENT else 1.0
    lo, hi = low * scale, high * scale
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / (TICKS - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9) + (1 if step / magnitude == 2.5 else 0))
    first = math.floor(lo / step) * step
    ticks = [round(first, 10)]
    while ticks[-1] < hi - step * 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    sign = percent_sign(lang) if unit is Unit.PERCENT else ""
    labels = [format_number(t, decimals, lang, significant=1) + sign for t in ticks]
    return [t / scale for t in ticks], labels
