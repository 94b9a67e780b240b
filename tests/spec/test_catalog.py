"""The built-in KPI catalog: completeness, meanings, references, Persian text and docs."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from shakhes.data.model import TABLES
from shakhes.errors import DefinitionError
from shakhes.spec.catalog import (
    load_catalog,
    main,
    parse_catalog,
    render_catalog_markdown,
)
from shakhes.spec.kpi import Direction, KpiSpec, Unit

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs" / "kpi-catalog.md"

KEYWORDS = {"where", "and", "or", "not", "in", "is", "null", "true", "false", "date"}

REQUIRED: dict[str, str] = {
    "impressions": "sum(ad_performance.impressions)",
    "reach": "sum(ad_performance.reach)",
    "clicks": "sum(ad_performance.clicks)",
    "cost": "sum(ad_performance.cost)",
    "ctr": "clicks/impressions",
    "cpc": "cost/clicks",
    "cpm": "cost/impressions*1000",
    "conversions": "sum(ad_performance.conversions)",
    "conversion_rate": "conversions/clicks",
    "cpa": "cost/conversions",
    "conversion_value": "sum(ad_performance.conversion_value)",
    "roas": "conversion_value/cost",
    "revenue": "sum(orders.revenue)",
    "orders": "count(orders)",
    "aov": "revenue/orders",
    "roi": "(revenue*$gross_margin-cost)/cost",
    "new_customers": "count(customers)",
    "cac": "cost/new_customers",
    "churn_rate": "churned(customers)/active_at_start(customers)",
    "retention_rate": "1-churn_rate",
    "clv": (
        "active_at_start(customers.monthly_value)/active_at_start(customers)"
        "*$gross_margin/churn_rate"
    ),
    "sessions": "sum(web_traffic.sessions)",
    "engagement_rate": "sum(web_traffic.engaged_sessions)/sessions",
    "bounce_rate": "1-engagement_rate",
    "pages_per_session": "sum(web_traffic.page_views)/sessions",
    "web_conversion_rate": "sum(web_traffic.key_events)/sessions",
    "leads": "count(leads)",
    "cost_per_lead": "cost/leads",
    "lead_to_customer_rate": "count(leadswherewon_dateisnotnull)/leads",
    "email_open_rate": "sum(email_campaigns.opens)/sum(email_campaigns.delivered)",
    "email_click_rate": "sum(email_campaigns.clicks)/sum(email_campaigns.delivered)",
    "click_to_open_rate": "sum(email_campaigns.clicks)/sum(email_campaigns.opens)",
    "unsubscribe_rate": "sum(email_campaigns.unsubscribes)/sum(email_campaigns.delivered)",
}
"""Every required KPI id and its formula with all whitespace removed."""

REQUIRED_UNITS: dict[str, Unit] = {
    "roas": Unit.RATIO,
    "roi": Unit.PERCENT,
    "ctr": Unit.PERCENT,
    "cpc": Unit.CURRENCY,
    "cpm": Unit.CURRENCY,
    "cpa": Unit.CURRENCY,
    "cac": Unit.CURRENCY,
    "clv": Unit.CURRENCY,
    "cost": Unit.CURRENCY,
    "revenue": Unit.CURRENCY,
    "orders": Unit.COUNT,
    "churn_rate": Unit.PERCENT,
    "bounce_rate": Unit.PERCENT,
    "pages_per_session": Unit.RATIO,
}

LOWER_IS_BETTER = {
    "cost",
    "cpc",
    "cpm",
    "cpa",
    "cac",
    "cost_per_lead",
    "churn_rate",
    "bounce_rate",
    "unsubscribe_rate",
}

ARABIC_SCRIPT = re.compile(r"[\u0600-\u06FF]")
TOKEN = re.compile(r"\$?[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?|'[^']*'|\S")


def _compact(text: str) -> str:
    return "".join(text.split())


def _by_id() -> dict[str, KpiSpec]:
    return {spec.id: spec for spec in load_catalog()}


def _scan(formula: str) -> tuple[set[str], list[tuple[str, list[str]]]]:
    """KPI ids referenced by ``formula`` and, per aggregate call, its name and inner tokens.

    A light tokenizer independent of the real parser: an identifier followed by ``(`` is an
    aggregate whose parenthesised content (table.column and ``where`` condition) is skipped; any
    other identifier not written ``$name`` is a KPI reference.
    """
    tokens = TOKEN.findall(formula)
    refs: set[str] = set()
    calls: list[tuple[str, list[str]]] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if re.fullmatch(r"[A-Za-z_]\w*", tok):
            if i + 1 < len(tokens) and tokens[i + 1] == "(":
                depth, j = 0, i + 1
                while True:
                    if tokens[j] == "(":
                        depth += 1
                    elif tokens[j] == ")":
                        depth -= 1
                        if depth == 0:
                            break
                    j += 1
                calls.append((tok, tokens[i + 2 : j]))
                i = j + 1
                continue
            if tok.lower() not in KEYWORDS:
                refs.add(tok)
        i += 1
    return refs, calls


# ---- completeness -------------------------------------------------------------------------------


def test_catalog_has_at_least_thirty_kpis() -> None:
    assert len(load_catalog()) >= 30


def test_ids_are_unique() -> None:
    ids = [spec.id for spec in load_catalog()]
    assert len(ids) == len(set(ids))


def test_required_ids_exist() -> None:
    missing = set(REQUIRED) - set(_by_id())
    assert not missing, f"missing KPIs: {sorted(missing)}"


def test_load_catalog_is_cached() -> None:
    assert load_catalog() is load_catalog()


# ---- meanings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kpi_id", "formula"), sorted(REQUIRED.items()))
def test_required_formula_has_its_meaning(kpi_id: str, formula: str) -> None:
    assert _compact(_by_id()[kpi_id].formula) == formula


def test_cpm_is_per_thousand() -> None:
    assert "*1000" in _compact(_by_id()["cpm"].formula)


@pytest.mark.parametrize(("kpi_id", "unit"), sorted(REQUIRED_UNITS.items()))
def test_units(kpi_id: str, unit: Unit) -> None:
    assert _by_id()[kpi_id].unit is unit


@pytest.mark.parametrize("kpi_id", sorted(LOWER_IS_BETTER))
def test_cost_like_kpis_are_lower_is_better(kpi_id: str) -> None:
    assert _by_id()[kpi_id].direction is Direction.LOWER_IS_BETTER


def test_spend_and_grain_tags() -> None:
    specs = _by_id()
    assert "spend" in specs["cost"].tags
    assert "month-grain" in specs["clv"].tags
    assert "non-additive" in specs["reach"].tags


def test_descriptions_carry_the_caveats() -> None:
    specs = _by_id()
    assert "additive" in specs["reach"].description.en
    assert "Universal Analytics" in specs["bounce_rate"].description.en
    assert "GA4" in specs["bounce_rate"].description.en
    assert "session key event rate" in specs["web_conversion_rate"].description.en
    assert "month grain" in specs["clv"].description.en
    roi = specs["roi"].description.en
    assert "revenue-based" in roi
    assert "margin-based" in roi
    assert "not a percentage" in specs["roas"].description.en


def test_rates_are_percent_or_ratio() -> None:
    for spec in load_catalog():
        if spec.id.endswith("_rate") or spec.id == "ctr":
            assert spec.unit in (Unit.PERCENT, Unit.RATIO), spec.id


def test_every_field_is_spelled_out_in_the_yaml() -> None:
    import yaml

    text = (REPO / "src" / "shakhes" / "spec" / "catalog.yml").read_text(encoding="utf-8")
    fields = set(KpiSpec.model_fields)
    for entry in yaml.safe_load(text)["kpis"]:
        assert set(entry) == fields, entry.get("id")


# ---- references and columns ---------------------------------------------------------------------


def test_kpi_references_resolve_with_a_light_tokenizer() -> None:
    ids = set(_by_id())
    for spec in load_catalog():
        refs, _ = _scan(spec.formula)
        assert refs <= ids, f"{spec.id} refers to unknown KPIs {sorted(refs - ids)}"


def test_aggregates_read_canonical_columns() -> None:
    for spec in load_catalog():
        _, calls = _scan(spec.formula)
        for func, inner in calls:
            table = TABLES.get(inner[0])
            assert table is not None, f"{spec.id}: unknown table {inner[0]} in {func}()"
            rest = inner[1:]
            if rest[:1] == ["."]:
                assert table.has_column(rest[1]), f"{spec.id}: unknown column {rest[1]}"
                rest = rest[2:]
            if rest:
                assert rest[0] == "where", spec.id
                for tok in rest[1:]:
                    if re.fullmatch(r"[A-Za-z_]\w*", tok) and tok.lower() not in KEYWORDS:
                        assert table.has_column(tok), f"{spec.id}: unknown column {tok}"


def test_references_have_no_cycles() -> None:
    graph = {spec.id: _scan(spec.formula)[0] for spec in load_catalog()}
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, f"cycle: {' -> '.join((*path, node))}"
        if node in done:
            return
        for ref in graph[node]:
            visit(ref, (*path, node))
        done.add(node)

    for node in graph:
        visit(node, ())


def _walk(node: object) -> list[object]:
    found = [node]
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            found += _walk(getattr(node, field.name))
    elif isinstance(node, tuple | list):
        for item in node:
            found += _walk(item)
    return found


def test_formulas_parse_and_refer_to_catalog_ids() -> None:
    try:
        from shakhes.formula.parser import parse_formula
    except ImportError:
        pytest.skip("shakhes.formula.parser is not available yet")
    from shakhes.formula.ast import Aggregate, KpiRef, Param

    ids = set(_by_id())
    for spec in load_catalog():
        nodes = _walk(parse_formula(spec.formula, kpi=spec.id))
        for node in nodes:
            if isinstance(node, KpiRef):
                assert node.id in ids, f"{spec.id} refers to unknown KPI {node.id}"
            elif isinstance(node, Aggregate):
                table = TABLES[node.table]
                if node.column is not None:
                    assert table.has_column(node.column), f"{spec.id}: {node.column}"
            elif isinstance(node, Param):
                assert node.name == "gross_margin", f"{spec.id}: unexpected ${node.name}"


def test_formulas_pass_the_formula_checker() -> None:
    try:
        from shakhes.formula.check import check_formula, find_cycle
        from shakhes.formula.parser import parse_formula
    except ImportError:
        pytest.skip("shakhes.formula.check is not available yet")

    ids = set(_by_id())
    parsed = {}
    for spec in load_catalog():
        expr = parse_formula(spec.formula, kpi=spec.id)
        check_formula(expr, spec.formula, kpi=spec.id, known_kpis=ids, params={"gross_margin"})
        parsed[spec.id] = expr
    assert find_cycle(parsed) is None


# ---- Persian ------------------------------------------------------------------------------------


def test_persian_text_everywhere() -> None:
    for spec in load_catalog():
        for text in (spec.name.fa, spec.description.fa):
            assert ARABIC_SCRIPT.search(text), f"{spec.id}: no Persian in {text!r}"


def test_persian_uses_persian_letters() -> None:
    # Arabic yeh (ي) and kaf (ك) instead of Persian ی and ک break search and sorting.
    for spec in load_catalog():
        for text in (spec.name.fa, spec.description.fa):
            assert "\u064a" not in text and "\u0643" not in text, spec.id


def test_english_text_is_english() -> None:
    for spec in load_catalog():
        for text in (spec.name.en, spec.description.en):
            assert not ARABIC_SCRIPT.search(text), spec.id


def test_ctr_persian_name() -> None:
    assert "نرخ کلیک" in _by_id()["ctr"].name.fa


# ---- docs ---------------------------------------------------------------------------------------


def test_docs_are_up_to_date() -> None:
    assert DOCS.exists(), "run: python -m shakhes.spec.catalog"
    expected = render_catalog_markdown(load_catalog())
    assert DOCS.read_text(encoding="utf-8") == expected, (
        "docs/kpi-catalog.md is stale: run python -m shakhes.spec.catalog"
    )


def test_markdown_lists_every_kpi() -> None:
    text = render_catalog_markdown(load_catalog())
    assert text.startswith("<!-- Generated by `python -m shakhes.spec.catalog`")
    for spec in load_catalog():
        assert f'<a id="{spec.id}"></a>' in text
        assert f"](#{spec.id})" in text
        assert f"`{spec.formula}`" in text
        assert spec.description.fa in text
        assert spec.name.fa in text


def test_main_writes_the_docs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "catalog.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_catalog_markdown(load_catalog())
    assert "wrote" in capsys.readouterr().out


def test_main_rejects_extra_arguments() -> None:
    assert main(["a.md", "b.md"]) == 2


# ---- parse errors -------------------------------------------------------------------------------

_VALID = """
kpis:
  - id: clicks
    name: {en: Clicks, fa: کلیک}
    description: {en: Clicks on ads., fa: تعداد کلیک.}
    formula: sum(ad_performance.clicks)
    unit: count
    direction: higher_is_better
    kind: operational
    timing: leading
    category: acquisition
"""


def test_parse_catalog_accepts_a_minimal_entry() -> None:
    (spec,) = parse_catalog(_VALID)
    assert spec.id == "clicks"
    assert spec.dimensions == ()


def test_parse_catalog_rejects_duplicates() -> None:
    doubled = _VALID + _VALID.split("kpis:\n", 1)[1]
    with pytest.raises(DefinitionError, match="more than once"):
        parse_catalog(doubled)


def test_parse_catalog_names_the_bad_entry() -> None:
    with pytest.raises(DefinitionError, match=r"'clicks'.*unit"):
        parse_catalog(_VALID.replace("unit: count", "unit: clicks"))


@pytest.mark.parametrize("text", ["kpis: 3", "- a\n- b", "kpis: [", ""])
def test_parse_catalog_rejects_bad_shapes(text: str) -> None:
    with pytest.raises(DefinitionError):
        parse_catalog(text)
