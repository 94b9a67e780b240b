"""The shapes of the API's answers that the service layer builds as JSON data: compute, status,
check, explain, leads, anomalies, goals, targets, imports and quarantine.

The service functions build the records the CLI prints with ``--format json``; the API answers
with the same records, unchanged. These models describe them for the OpenAPI document (and so
for schemathesis and API clients), and :func:`answer` checks every answer against its model
before it leaves: a record that drifts from its model is a 500 in the tests, not a silent
change in the document.

They live here, not next to the service functions, because they are the API's contract: the
CLI and the pages read the records as plain data, and the service stays free of the server's
dependencies. A field that a record leaves out when empty (an issue's location, a ratio KPI's
segment weights) is optional here and absent from the answer, never ``null``.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any, Literal

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from shakhes.spec.kpi import Text  # a KPI's name: English and Persian

Status = Literal["achieved", "on_track", "at_risk", "off_track", "missed"]
Unit = str
"""A KPI's unit (count, currency, percent, ratio, …), as its definition has it."""
Number = float
"""A number in JSON: whole numbers may be written without a fraction."""


class Closed(BaseModel):
    """A record with exactly these fields (a field the service adds must be described here)."""

    model_config = ConfigDict(extra="forbid")


class Health(Closed):
    """Whether the server answers (always, when this is read) and is ready: the workspaces it
    opens at start are open and the pages most visitors open first are computed."""

    status: Literal["ok"] = "ok"
    ready: bool


class Wording(Closed):
    """A goal's title or description: English and Persian, either possibly empty."""

    en: str
    fa: str


# ---- common pieces -------------------------------------------------------------------------------


class ErrorBrief(Closed):
    code: str
    message: str
    hint: str | None = Field(default=None, description="Left out when there is none.")


class IssueOut(Closed):
    """One problem, located (:meth:`shakhes.errors.Issue.to_dict`): empty fields left out."""

    code: str
    level: str
    message: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    value: str | None = None
    formula: str | None = None
    position: int | None = None
    kpi: str | None = None
    field: str | None = None
    suggestion: str | None = None
    length: int | None = Field(default=None, description="With a formula: the problem's length.")


class PeriodOut(Closed):
    """A target's or goal's period as defined, with its description in words."""

    start: dt.date | None = None
    end: dt.date | None = None
    every: Literal["month", "quarter", "year"] | None = None
    calendar: Literal["gregorian", "jalali"] | None = None
    text: str


class InstanceOut(Closed):
    """The period instance of the day asked about (a recurring target's current month…)."""

    start: dt.date
    end: dt.date
    label: str
    label_fa: str
    days: int


class Change(Closed):
    field: str
    before: Any
    after: Any


# ---- compute ---------------------------------------------------------------------------------


class ComputeRecord(BaseModel):
    """One period × breakdown × KPI; each dimension of ``by`` is a field of its own (its value
    in that row), hence the extra fields."""

    model_config = ConfigDict(extra="allow")

    period_start: dt.date
    period_end: dt.date
    period_label: str
    kpi: str
    value: Number | None
    complete: bool | None = Field(
        description="Whether the data covers the whole period for this KPI (null for a KPI "
        "that could not be computed: its error says why)."
    )
    missing: int | None = Field(
        default=None, description="Rows lacking a value the KPI reads (only when it may lack)."
    )
    numerator: Number | None = Field(default=None, description="With components.")
    denominator: Number | None = Field(default=None, description="With components.")
    previous_start: dt.date | None = Field(default=None, description="With compare.")
    previous_end: dt.date | None = None
    previous_value: Number | None = None
    previous_complete: bool | None = None
    change: Number | None = None
    change_pct: Number | None = None
    error: ErrorBrief | None


# ---- status ----------------------------------------------------------------------------------


class TrendPointOut(Closed):
    start: dt.date
    end: dt.date
    value: Number | None


class TargetStatusOut(Closed):
    """One target tracked on the day: the target, its period instance and every number of the
    tracking (null when it cannot be tracked: see ``problem``)."""

    id: str
    kpi: str
    scope: str
    goal: str | None
    value: Number | None
    min: Number | None
    max: Number | None
    direction: str
    unit: Unit
    owner: str
    period: InstanceOut | None
    data_through: dt.date | None
    status: Status | None
    shape: str | None
    actual: Number | None
    missing: int
    days_in_period: int | None
    days_elapsed: int | None
    days_remaining: int | None
    pacing: str | None
    spread: str | None
    expected: Number | None
    elapsed_share: Number | None
    forecast: Number | None
    forecast_low: Number | None
    forecast_high: Number | None
    probability: Number | None
    run_rate: Number | None
    run_rate_needed_min: Number | None
    run_rate_needed_max: Number | None
    numerator: Number | None
    denominator: Number | None
    forecast_numerator: Number | None
    forecast_denominator: Number | None
    interval: Number | None
    trend: list[TrendPointOut]
    problem: ErrorBrief | None


class KpiStatusOut(Closed):
    kpi: str
    name: Text | None
    unit: Unit | None
    direction: str | None
    timing: str | None
    kind: str
    drives: list[str]
    status: Status | None
    targets: list[TargetStatusOut]


class DayRange(Closed):
    start: dt.date
    end: dt.date


class GoalStatusOut(Closed):
    id: str
    title: Wording
    owner: str
    period: DayRange
    status: Status | None
    counts: dict[str, int]
    kpis: list[KpiStatusOut]


class Thresholds(Closed):
    on_track: Number
    at_risk: Number


class StatusOut(Closed):
    """``shakhes status --format json``: every goal's tree with its tracked targets."""

    on: dt.date
    on_source: Literal["given", "data", "today"]
    thresholds: Thresholds
    interval: Number
    goals: list[GoalStatusOut]
    without_goal: list[KpiStatusOut]


# ---- check -----------------------------------------------------------------------------------


class Reason(Closed):
    status: str
    code: str
    text: str
    params: dict[str, Any]


class Suggestion(Closed):
    code: str
    text: str
    params: dict[str, Any]


class LetterOut(Closed):
    status: str
    reasons: list[Reason]
    suggestions: list[Suggestion]
    numbers: dict[str, Any] = Field(description="Every number the letter's check used.")


class CheckedTarget(Closed):
    id: str
    scope: str
    period: PeriodOut
    value: Number | None
    min: Number | None
    max: Number | None
    goal: str | None


class CheckedPeriod(Closed):
    start: dt.date
    end: dt.date
    label: str
    label_fa: str
    state: Literal["over", "running", "future"] | None


class CheckRow(Closed):
    kpi: str
    name: Text
    unit: Unit
    direction: str
    timing: str
    target: CheckedTarget | None
    goal: str | None
    period: CheckedPeriod | None
    status: str
    letters: dict[Literal["S", "M", "A", "R", "T"], LetterOut]


class CheckOut(Closed):
    """``shakhes check --format json``: the SMART check of each KPI and target."""

    on: dt.date
    on_source: str
    locale: str
    thresholds: dict[str, Any]
    results: list[CheckRow]


# ---- explain ---------------------------------------------------------------------------------


class SideOut(Closed):
    label: str
    label_fa: str
    start: dt.date
    end: dt.date
    complete: bool
    missing: int


class PartOut(Closed):
    segment: dict[str, str]
    kind: str
    value: Number | None
    share: Number | None
    text: str


class SegmentOut(Closed):
    """A segment's contribution; the weight and component fields only for a ratio KPI."""

    segment: dict[str, str]
    before: Number | None
    after: Number | None
    effect: Number | None
    weight_before: Number | None = None
    weight_after: Number | None = None
    numerator_before: Number | None = None
    numerator_after: Number | None = None
    denominator_before: Number | None = None
    denominator_after: Number | None = None


class ExplainOut(Closed):
    """``shakhes explain --format json``: why a KPI moved, segment by segment."""

    kpi: str
    name: str
    shape: str
    unit: Unit
    direction: str
    currency: str | None
    by: list[str]
    grain: str
    against: str
    period: SideOut
    compared_with: SideOut
    before: Number | None
    after: Number | None
    change: Number | None
    change_pct: Number | None
    verdict: str
    summary: str
    parts: list[PartOut]
    segments: list[SegmentOut]


# ---- leads -----------------------------------------------------------------------------------


class LagCorrelation(Closed):
    lag: int
    r: Number


class GrangerOut(Closed):
    lags: int
    own_lags: int
    f: Number | None
    p: Number | None
    df: list[int]
    null: str


class LogsOut(Closed):
    candidate: bool
    lagging: bool


class LeadOut(Closed):
    candidate: str
    verdict: str
    text: str
    best_lag: int
    r: Number
    bound: Number
    significant: bool
    points: int
    prewhitening_order: int
    correlations: list[LagCorrelation]
    granger: GrangerOut
    logs: LogsOut


class SkippedCandidate(Closed):
    candidate: str
    reason: str


class LeadsOut(Closed):
    """``shakhes leads --format json``: which KPIs move before a lagging one."""

    lagging: str
    grain: str
    max_lag: int
    start: dt.date
    end: dt.date
    candidates_from: str
    results: list[LeadOut]
    skipped: list[SkippedCandidate]


# ---- anomalies -------------------------------------------------------------------------------


class ExplainedBy(Closed):
    dimension: str
    value: str
    change: Number | None
    share: Number | None


class AnomalyOut(Closed):
    kpi: str
    date: dt.date
    kind: str
    value: Number | None
    expected: Number | None
    change: Number | None
    change_pct: Number | None
    z: Number | None
    severity: str
    direction: str
    explained_by: ExplainedBy | None


class SkippedKpi(Closed):
    kpi: str
    reason: str


class AnomaliesOut(Closed):
    """``shakhes anomalies --format json``: days a KPI broke from its expected value."""

    kpis: list[str]
    since: dt.date
    end: dt.date
    explain_by: list[str]
    threshold: Number
    anomalies: list[AnomalyOut]
    skipped: list[SkippedKpi]


# ---- goals and targets -------------------------------------------------------------------------


class TargetOut(Closed):
    """A target as ``shakhes target list --format json`` gives it."""

    id: str
    kpi: str
    scope: str
    period: PeriodOut
    value: Number | None
    min: Number | None
    max: Number | None
    direction: str | None
    unit: Unit | None
    owner: str
    note: str
    goal: str | None
    revision: int
    since: dt.datetime | None
    changed_by: str | None
    instance: InstanceOut | None


class TargetVersion(Closed):
    revision: int
    valid_from: dt.datetime | None
    valid_to: dt.datetime | None
    changed_by: str | None
    ended_by: str | None
    target: dict[str, Any] = Field(description="The target's definition in that version.")
    changes: list[Change]


class TargetDetailOut(Closed):
    """``shakhes target show --format json``: the target and every version, oldest first."""

    target: TargetOut
    removed: bool
    history: list[TargetVersion]


class TargetChangeOut(Closed):
    """What ``shakhes target set`` did."""

    action: Literal["created", "changed", "unchanged"]
    changes: list[Change]
    target: TargetOut


class GoalKpiOut(Closed):
    kpi: str
    kind: str
    drives: list[str]
    name: Text | None
    timing: str | None
    direction: str | None
    unit: Unit | None
    targets: list[TargetOut]


class GoalOut(Closed):
    """A goal → KPI → target tree, as ``shakhes goal show --format json``."""

    id: str
    title: Wording
    description: Wording
    owner: str
    period: PeriodOut
    kpis: list[GoalKpiOut]


# ---- imports ---------------------------------------------------------------------------------


class ImportReportOut(Closed):
    """What an import did (or, in a dry run, would do)."""

    file: str
    source: str
    table: str
    rows_read: int
    accepted: int
    quarantined: int
    replaced: int
    removed: int
    summary_rows: int
    date_range: tuple[dt.date, dt.date] | None
    totals: dict[str, Number | None]
    warnings: list[str]
    rejected: list[IssueOut]
    import_id: int | None
    dry_run: bool
    already_imported: int | None
    skipped: list[tuple[str, int]]
    added_rows: int
    added_into: int
    key_label: str
    replaces: int | None
    changed_options: list[tuple[str, str | None, str | None]]
    changed: list[tuple[str, int]]
    accounts: list[str] = Field(
        default_factory=list,
        description="The accounts of the rows it imports (would import), sorted; at most 50.",
    )


class RefusedFile(Closed):
    code: str
    message: str
    hint: str | None
    details: list[IssueOut] | None


class UploadOut(Closed):
    """One uploaded file: its report, or the error that refused it."""

    file: str
    report: ImportReportOut | None
    error: RefusedFile | None


class ImportLogEntry(Closed):
    """One import of the log."""

    import_id: int
    table_name: str
    file_name: str
    sha256: str
    source: str
    account: str | None
    rows_read: int
    accepted: int
    quarantined: int
    replaced: int
    removed: int
    date_from: dt.date | None
    date_to: dt.date | None
    replace_range: bool
    totals: dict[str, Number | None]
    actor: str
    imported_at: dt.datetime
    undone_at: dt.datetime | None
    options: dict[str, str | None]


class QuarantinedRow(IssueOut):
    """A quarantined row: its import and file, then the issue (``code``: the problem's code,
    as a dry run's rejected rows have it; ``quarantined`` for a row kept before rows kept their
    code, whose code could not be worked out from its text)."""

    import_id: int


class RetryOut(Closed):
    report: ImportReportOut
    resolved: int


@functools.cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def answer(model: Any, data: Any, status_code: int = 200) -> JSONResponse:
    """``data`` as the answer, unchanged, once it is checked against ``model`` (a model class or
    a type such as ``list[Model]``) — so the answer is what the CLI prints, and the document
    says what it is."""
    _adapter(model).validate_python(data)
    return JSONResponse(data, status_code=status_code)
