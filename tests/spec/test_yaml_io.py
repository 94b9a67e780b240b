"""Reading and writing KPI definitions as YAML: line-numbered errors and exact round trips."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shakhes.errors import DefinitionError
from shakhes.spec.kpi import ID_PATTERN, Category, Direction, Kind, KpiSpec, Text, Timing, Unit
from shakhes.spec.yaml_io import SpecFileError, SpecIssue, dump_specs, load_specs

FIXTURES = Path(__file__).parent / "fixtures"

PERSIAN = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآ؟،؛«»۰۱۲۳۴۵۶۷۸۹\u200c"
TRICKY = "'\"`:#-?|>!%@&*{}[],\\ \t\n\r"
ALPHABET = PERSIAN + TRICKY + string.ascii_letters + string.digits
YAMLISH = ["yes", "No", "null", "~", "123", "0x1f", "1.5e3", "2024-01-01", "- a", "# c", "a: b"]

texts = st.one_of(
    st.text(st.sampled_from(ALPHABET), min_size=1, max_size=40),
    st.text(min_size=1, max_size=20),  # any unicode: control characters, NEL, BOM, emoji...
    st.sampled_from([*YAMLISH, " lead", "trail ", "\n", " ", "'", '"', "|", ">", "\n\n x \n"]),
)
maybe_empty = st.one_of(st.just(""), texts)
bilingual = st.builds(Text, en=texts, fa=texts)
specs = st.builds(
    KpiSpec,
    id=st.from_regex(ID_PATTERN, fullmatch=True),
    name=bilingual,
    description=bilingual,
    formula=texts,
    unit=st.sampled_from(Unit),
    direction=st.sampled_from(Direction),
    kind=st.sampled_from(Kind),
    timing=st.sampled_from(Timing),
    category=st.sampled_from(Category),
    dimensions=st.lists(maybe_empty, max_size=3).map(tuple),
    decimals=st.integers(0, 6),
    owner=maybe_empty,
    tags=st.lists(maybe_empty, max_size=3).map(tuple),
)
spec_sets = st.lists(specs, max_size=5, unique_by=lambda spec: spec.id)


def _spec(kpi_id: str, **overrides: object) -> KpiSpec:
    data: dict[str, object] = {
        "id": kpi_id,
        "name": {"en": "Click-through rate", "fa": "نرخ کلیک"},
        "description": {"en": "Clicks per impression.", "fa": "کلیک به ازای هر نمایش."},
        "formula": "sum(ad_performance.clicks) / sum(ad_performance.impressions)",
        "unit": "percent",
        "direction": "higher_is_better",
        "kind": "operational",
        "timing": "leading",
        "category": "engagement",
    }
    data.update(overrides)
    return KpiSpec.model_validate(data)


def _errors(source: str | Path) -> SpecFileError:
    with pytest.raises(SpecFileError) as caught:
        load_specs(source)
    assert isinstance(caught.value, DefinitionError)
    return caught.value


def _at(error: SpecFileError, line: int) -> list[SpecIssue]:
    return [issue for issue in error.issues if issue.line == line]


# -- reading ---------------------------------------------------------------------------------------


def test_load_valid_file_in_file_order() -> None:
    ctr, cpc = load_specs(FIXTURES / "yaml_valid.yaml")
    assert (ctr.id, cpc.id) == ("ctr", "cpc")
    assert ctr.name == Text(en="Click-through rate", fa="نرخ کلیک")
    assert ctr.description.en == (
        "Share of impressions that became clicks.\nHigher is better: it means the ad is relevant.\n"
    )
    assert ctr.description.fa == "سهم نمایش\u200cهایی که به کلیک تبدیل شدند."
    assert ctr.unit is Unit.PERCENT
    assert ctr.dimensions == ("channel", "campaign")
    assert ctr.tags == ("paid", "search: brand")
    assert ctr.owner == "2024"  # kept as the text written, not the number 2024
    assert cpc.decimals == 2 and cpc.owner == "" and cpc.dimensions == ()


def test_path_string_and_text_are_all_accepted() -> None:
    path = FIXTURES / "yaml_valid.yaml"
    from_path = load_specs(path)
    assert load_specs(str(path)) == from_path
    assert load_specs(path.read_text(encoding="utf-8")) == from_path


def test_single_kpi_mapping() -> None:
    (roas,) = load_specs(FIXTURES / "yaml_single.yaml")
    assert roas.id == "roas"
    assert roas.decimals == 1
    assert roas.kind is Kind.STRATEGIC


def test_bare_list_and_empty_list() -> None:
    text = dump_specs([_spec("ctr")])
    bare = yaml.safe_dump(yaml.safe_load(text)["kpis"], allow_unicode=True)
    assert load_specs(bare) == [_spec("ctr")]
    assert load_specs("kpis: []") == []


def test_yaml_scalars_that_look_like_numbers_stay_text() -> None:
    text = (
        dump_specs([_spec("ctr")])
        .replace("owner: ''", "owner: 1.50")
        .replace("tags: []", "tags: [yes, 010, 2024-01-01, 1_000]")
        .replace("decimals: 2", "decimals: 03")
    )
    (spec,) = load_specs(text)
    assert spec.owner == "1.50"
    assert spec.tags == ("yes", "010", "2024-01-01", "1_000")
    assert spec.decimals == 3  # the one number field is read as a number


def test_null_is_reported_not_turned_into_text() -> None:
    text = dump_specs([_spec("ctr")]).replace("tags: []", "tags: [a, null]")
    text = text.replace("owner: ''", "owner:")
    error = _errors(text)
    assert {(issue.field, issue.message) for issue in error.issues} == {
        ("owner", "is empty"),
        ("tags[1]", "is empty"),
    }


def test_every_problem_is_reported_at_once_with_lines_and_fields() -> None:
    error = _errors(FIXTURES / "yaml_errors.yaml")
    message = str(error)
    assert message.startswith("tests/spec/fixtures/yaml_errors.yaml: 9 problems") or (
        "yaml_errors.yaml: 9 problems in KPI definitions" in message.splitlines()[0]
    )
    assert len(error.issues) == 9
    assert all(issue.file.endswith("yaml_errors.yaml") for issue in error.issues)
    assert [issue.line for issue in error.issues] == sorted(
        issue.line or 0 for issue in error.issues
    )

    # unknown fields, with the nearest known name
    (eng,) = _at(error, 6)
    assert "unknown field 'name.eng'" in eng.message
    assert "did you mean 'name.en'?" in eng.message
    (unti,) = _at(error, 9)
    assert "unknown field 'unti' — did you mean 'unit'?" in unti.message
    # the field it was meant to be is then missing, reported at the KPI's line
    (missing_unit,) = _at(error, 2)
    assert missing_unit.message == "missing required field: unit"
    # bad enum values list the allowed values
    (category,) = _at(error, 13)
    assert category.field == "category"
    assert "'engagment' is not allowed — did you mean 'engagement'?" in category.message
    assert "awareness, acquisition, engagement, conversion, revenue" in category.message
    (direction,) = _at(error, 20)
    assert direction.kpi == "KPI 'cpc'"
    assert "did you mean 'lower_is_better'?" in direction.message
    assert "(allowed: higher_is_better, lower_is_better)" in direction.message
    # out-of-range numbers and wrong shapes
    (decimals,) = _at(error, 14)
    assert (decimals.field, decimals.message) == ("decimals", "must be at most 6")
    (dimensions,) = _at(error, 24)
    assert dimensions.field == "dimensions" and "expected a list" in dimensions.message
    # bad id, and everything missing from that KPI in one line
    bad_id, missing = _at(error, 25)
    assert bad_id.field == "id" and "not a valid KPI id" in bad_id.message
    assert missing.message == (
        "missing required fields: description, formula, unit, direction, kind, timing, category"
    )
    # the message names file, line and field on each line
    assert "yaml_errors.yaml:13: KPI 'ctr': category: 'engagment' is not allowed" in message
    assert "yaml_errors.yaml:9: KPI 'ctr': unknown field 'unti'" in message


def test_duplicate_ids_name_both_lines() -> None:
    error = _errors(FIXTURES / "yaml_duplicate_ids.yaml")
    (issue,) = error.issues
    assert issue.line == 12
    assert issue.field == "id"
    assert "'leads' is used by two KPIs, on line 2 and on line 12" in issue.message
    assert "yaml_duplicate_ids.yaml:12:" in str(error)


def test_duplicate_key_in_a_kpi() -> None:
    text = dump_specs([_spec("ctr")]).replace(
        "    decimals: 2\n", "    decimals: 2\n    unit: ratio\n"
    )
    error = _errors(text)
    (issue,) = error.issues
    unit_lines = [n for n, line in enumerate(text.splitlines(), 1) if "unit:" in line]
    assert issue.line == unit_lines[1]
    assert issue.message == f"given twice (also on line {unit_lines[0]})"
    assert str(error).splitlines()[1].startswith(f"  <text>:{unit_lines[1]}: KPI 'ctr': unit:")


def test_syntax_error_has_a_line() -> None:
    error = _errors(FIXTURES / "yaml_syntax_error.yaml")
    (issue,) = error.issues
    assert issue.line == 4
    assert issue.message.startswith("invalid YAML")
    assert "yaml_syntax_error.yaml:4: invalid YAML" in str(error)


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("", None, "the file is empty"),
        ("# only a comment\n", None, "the file is empty"),
        ("kpi: []\n", 1, "unknown top-level key 'kpi' — did you mean 'kpis'?"),
        ("kpis: []\nversion: 2\n", 2, "unknown top-level key 'version'"),
        ("kpis: 3\n", 1, "'kpis:' must be a list of KPIs"),
        ("kpis:\n", 1, "'kpis:' must be a list of KPIs"),
        ("just text\n", 1, "expected a 'kpis:' list"),
        ("kpis:\n  - 7\n", 2, "a KPI must be a mapping of fields"),
        ("a: 1\n---\nb: 2\n", 2, "expected a single document"),
        ("kpis:\n  - id: x\n    name: !!python/object:os.system {}\n", 3, "unsupported YAML tag"),
        ("kpis:\n  - id: x\n    owner: !!python/name:os.system ''\n", 3, "constructor"),
        ("kpis:\n  - &a [*a]\n", 2, "a KPI must be a mapping"),
        ("kpis: []\nowner: \x07\n", 2, "invalid character #x0007"),
        ("a: &x 1\n<<: *x\n", 1, "expected a mapping or list of mappings for merging"),
    ],
)
def test_shape_problems(text: str, line: int | None, expected: str) -> None:
    error = _errors(text)
    assert any(issue.line == line and expected in issue.message for issue in error.issues), str(
        error
    )


def test_named_text_and_missing_file() -> None:
    with pytest.raises(SpecFileError, match=r"^my\.yaml: 1 problem"):
        load_specs("kpis: 3\n", filename="my.yaml")
    with pytest.raises(DefinitionError, match="file not found"):
        load_specs("no/such/kpis.yaml")
    with pytest.raises(DefinitionError, match="file not found"):
        load_specs(FIXTURES / "nope.yaml")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("kpis: []\nowner: caf\xe9\n".encode("latin-1"))
    with pytest.raises(DefinitionError, match="not UTF-8"):
        load_specs(path)


def test_merge_keys_and_anchors_work() -> None:
    base = yaml.safe_load(dump_specs([_spec("ctr")]))["kpis"][0]
    base_yaml = yaml.safe_dump(base, allow_unicode=True, sort_keys=False)
    indented = "".join(f"    {line}\n" for line in base_yaml.splitlines())
    merged = (
        "kpis:\n  - &first\n" + indented + "  - <<: *first\n    id: ctr_copy\n    decimals: 4\n"
    )
    first, copy = load_specs(merged)
    assert first == _spec("ctr")
    assert copy == first.model_copy(update={"id": "ctr_copy", "decimals": 4})
    # Anything beside `kpis:` at the top is refused, even an anchor holder.
    assert "unknown top-level key 'base'" in str(_errors(f"base: &b\n{indented}kpis: []\n"))


# -- writing ---------------------------------------------------------------------------------------


def test_dump_is_sorted_ordered_and_unescaped() -> None:
    text = dump_specs([_spec("roas", owner="تیم رشد"), _spec("ctr", tags=("paid",))])
    assert text.startswith("kpis:\n  - id: ctr\n")
    assert text.index("- id: ctr") < text.index("- id: roas")
    assert "نرخ کلیک" in text and "تیم رشد" in text and "\\u" not in text
    first = yaml.safe_load(text)["kpis"][0]
    assert list(first) == list(KpiSpec.model_fields)
    assert list(first["name"]) == ["en", "fa"]
    # Decision: defaults are written out, not omitted.
    assert "    decimals: 2\n" in text
    assert "    dimensions: []\n" in text
    assert "    owner: ''\n" in text
    assert "    tags: [paid]\n" in text


def test_dump_multiline_text_as_blocks() -> None:
    spec = _spec("ctr", formula="sum(a.x)\n/ sum(a.y)", description={"en": "one\ntwo\n", "fa": "ت"})
    text = dump_specs([spec])
    assert "    formula: |-\n      sum(a.x)\n      / sum(a.y)\n" in text
    assert "      en: |\n        one\n        two\n" in text
    assert load_specs(text) == [spec]


def test_dump_does_not_depend_on_input_order() -> None:
    specs = [_spec("b"), _spec("c"), _spec("a")]
    assert dump_specs(specs) == dump_specs(reversed(specs))
    assert dump_specs([]) == "kpis: []\n"


def test_dump_refuses_duplicate_ids() -> None:
    with pytest.raises(DefinitionError, match="'ctr' is given twice"):
        dump_specs([_spec("ctr"), _spec("ctr", decimals=3)])


def test_fixture_file_round_trips() -> None:
    specs = load_specs(FIXTURES / "yaml_valid.yaml")
    text = dump_specs(specs)
    assert load_specs(text) == sorted(specs, key=lambda spec: spec.id)
    assert dump_specs(load_specs(text)) == text


@settings(max_examples=400, deadline=None)
@given(spec_sets)
@example([_spec("ctr", owner="\x85", tags=("\u2028", "a\u2029b"), formula="x\x85y\nz")])
@example([_spec("ctr", owner=" # not a comment", formula="a: b #c\n  - d", tags=("", "'\""))])
def test_round_trip(specs: list[KpiSpec]) -> None:
    text = dump_specs(specs)
    loaded = load_specs(text)
    assert loaded == sorted(specs, key=lambda spec: spec.id)
    assert dump_specs(loaded) == text
