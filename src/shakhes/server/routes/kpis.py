"""A workspace's KPIs and what is computed from them: ``/api/v1/workspaces/{workspace}/…``
kpis (list, get, save, delete, validate a formula), compute, status, check, explain, leads,
anomalies.

Every answer is the JSON the CLI prints with ``--format json`` (the same service functions
build it); a KPI's computed error carries the core's hint, not the CLI's option names.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from shakhes.errors import ShakhesError
from shakhes.server import schemas
from shakhes.server.deps import Editor, Viewer
from shakhes.spec.kpi import KpiSpec
from shakhes.store.repo import Plan

router = APIRouter(prefix="/api/v1/workspaces/{workspace}", tags=["kpis"])

Day = Annotated[dt.date | None, Query(description="A day, YYYY-MM-DD.")]


class KpiChange(BaseModel):
    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: list[str]


class FormulaIn(BaseModel):
    formula: str = Field(min_length=1, max_length=10_000)
    kpi: str | None = Field(default=None, description="The KPI the formula is for, if any.")


class FormulaIssueOut(BaseModel):
    code: str
    message: str
    position: int | None = Field(description="Character offset in the formula (from 0).")
    length: int
    suggestion: str | None
    text: str = Field(description="The problem as the CLI shows it, with a caret line.")
    words: str = Field(
        description="The problem (with its suggestion) in the language the request asks for "
        "with Accept-Language: Persian words for `fa`, ids isolated left-to-right."
    )
    caret: str = Field(description="The formula's line and the caret line under the place.")


class FormulaCheck(BaseModel):
    valid: bool
    issues: list[FormulaIssueOut]


class PreviewIn(BaseModel):
    formula: str = Field(min_length=1, max_length=10_000)
    kpi: str | None = Field(
        default=None, description="The saved KPI the formula is for (its unit, id), if any."
    )
    days: int = Field(default=90, ge=7, le=730)


class PreviewPoint(BaseModel):
    day: dt.date
    value: float | None


class PreviewOut(BaseModel):
    start: dt.date = Field(serialization_alias="from")
    end: dt.date = Field(serialization_alias="to")
    points: list[PreviewPoint]


class ComputeIn(BaseModel):
    """What ``shakhes compute`` takes: KPI ids, grain, breakdown, range, filter, comparison."""

    kpis: list[str] = Field(min_length=1, max_length=100)
    grain: str | None = None
    by: list[str] = Field(default_factory=list, max_length=5)
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    where: str | None = Field(default=None, max_length=2_000)
    compare: Literal["previous", "last_year", "last-year"] | None = None
    components: bool = False

    model_config = {"populate_by_name": True}


def _plan(plan: Plan) -> KpiChange:
    return KpiChange(
        added=list(plan.added),
        changed=[c.kpi_id for c in plan.changed],
        removed=list(plan.removed),
        unchanged=list(plan.unchanged),
    )


@router.get("/kpis")
def list_kpis(m: Viewer) -> list[KpiSpec]:
    """Every KPI of the workspace (the catalog's, then added ones)."""
    from shakhes.service import definitions

    return definitions.kpis(m.ws)


@router.get("/kpis/{kpi_id}")
def get_kpi(kpi_id: str, m: Viewer) -> KpiSpec:
    """One KPI's definition."""
    from shakhes.service import definitions

    return definitions.kpi_detail(m.ws, kpi_id, history=1).spec


@router.put("/kpis/{kpi_id}")
def save_kpi(kpi_id: str, spec: KpiSpec, m: Editor) -> KpiChange:
    """Add a KPI or replace its definition, checked as ``shakhes apply`` checks (every problem
    at once, a formula's with its position)."""
    from shakhes.service import definitions

    if spec.id != kpi_id:
        raise ShakhesError(
            f"the body defines KPI '{spec.id}' but the address names '{kpi_id}'",
            code="id_mismatch",
            hint="Make the id in the body the one in the address.",
        )
    return _plan(definitions.save_kpi(m.ws, spec))


@router.delete("/kpis/{kpi_id}")
def delete_kpi(kpi_id: str, m: Editor) -> KpiChange:
    """Delete a KPI (refused while other KPIs, goals or targets use it)."""
    from shakhes.service import definitions

    return _plan(definitions.delete_kpi(m.ws, kpi_id))


@router.post("/kpis/validate")
def validate_formula(body: FormulaIn, m: Viewer, request: Request) -> FormulaCheck:
    """Check a formula against the data model and the workspace's KPIs: every problem with its
    position and a caret line, as the CLI shows it, and in words of the language the request
    asks for (the KPI editor's). Changes nothing."""
    from shakhes.server.error_words import did_you_mean, issue_words, wants_persian
    from shakhes.service import definitions

    persian = wants_persian(request.headers.get("accept-language"))
    issues = definitions.check_formula(m.ws, body.formula, kpi=body.kpi)
    out = []
    for i in issues:
        words = i.text()
        found = issue_words(i.to_dict()) if persian else None
        if found is not None:
            words = found + (did_you_mean(i.suggestion) if i.suggestion else "")
        out.append(
            FormulaIssueOut(
                code=i.code,
                message=i.message,
                position=i.position,
                length=i.length,
                suggestion=i.suggestion,
                text=str(i),
                words=words,
                caret=i.caret(body.formula),
            )
        )
    return FormulaCheck(valid=not issues, issues=out)


@router.post("/kpis/preview", response_model_by_alias=True)
def preview_formula(body: PreviewIn, m: Viewer) -> PreviewOut:
    """A formula's daily values over the last ``days`` days with data, computed as a saved
    KPI would be (checked and compiled the same way, never saved): what the KPI editor's
    preview chart draws. An invalid formula is a 422 with every issue and its position."""
    from shakhes.service import draft

    spec = None
    if body.kpi is not None and body.kpi in m.ws.definitions():
        spec = m.ws.definitions()[body.kpi]
    found = draft.preview(m.ws, body.formula, kpi=spec, days=body.days)
    return PreviewOut(
        start=found["from"],
        end=found["to"],
        points=[PreviewPoint(day=p["day"], value=p["value"]) for p in found["points"]],
    )


def _compute(m: Viewer, body: ComputeIn) -> JSONResponse:
    from shakhes.service import compute as service

    query = service.Query(
        body.kpis, body.grain, body.by, body.start, body.end, body.where, body.compare
    )
    records = service.records(service.compute(m.ws, query), components=body.components)
    return schemas.answer(list[schemas.ComputeRecord], records)


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@router.get("/compute", response_model=list[schemas.ComputeRecord])
def compute_get(
    m: Viewer,
    kpis: Annotated[str, Query(min_length=1, description="KPI ids, comma-separated.")],
    grain: str | None = None,
    by: Annotated[str | None, Query(description="Dimensions, comma-separated.")] = None,
    from_: Annotated[dt.date | None, Query(alias="from")] = None,
    to: dt.date | None = None,
    where: Annotated[str | None, Query(max_length=2_000)] = None,
    compare: Literal["previous", "last_year", "last-year"] | None = None,
    components: bool = False,
) -> JSONResponse:
    """KPIs per period, as ``shakhes compute --format json``: one record per period ×
    breakdown × KPI."""
    body = ComputeIn(
        kpis=_split(kpis) or [kpis],
        grain=grain,
        by=_split(by),
        start=from_,
        end=to,
        where=where,
        compare=compare,
        components=components,
    )
    return _compute(m, body)


@router.post("/compute", response_model=list[schemas.ComputeRecord])
def compute_post(body: ComputeIn, m: Viewer) -> JSONResponse:
    """The same as GET, with the query as a JSON body."""
    return _compute(m, body)


@router.get("/status", response_model=schemas.StatusOut)
def status(m: Viewer, goal: str | None = None, on: Day = None) -> JSONResponse:
    """Where every target stands, as ``shakhes status --format json``."""
    from shakhes.service import status as service

    return schemas.answer(schemas.StatusOut, service.status(m.ws, goal=goal, on=on).to_dict())


@router.get("/check", response_model=schemas.CheckOut)
def check(
    m: Viewer,
    names: Annotated[
        str | None, Query(description="KPI or goal ids, comma-separated (default: all).")
    ] = None,
    on: Day = None,
) -> JSONResponse:
    """The SMART check, as ``shakhes check --format json``."""
    from shakhes.service import smart

    report = smart.check(m.ws, _split(names), on=on)
    s = m.ws.settings
    record = smart.report_json(
        report, locale=s.locale, currency=s.currency, calendar=s.calendar.value
    )
    return schemas.answer(schemas.CheckOut, record)


@router.get("/explain", response_model=schemas.ExplainOut)
def explain(
    m: Viewer,
    kpi: str,
    by: Annotated[str, Query(description="Dimension(s), comma-separated.")],
    period: str | None = None,
    from_: Annotated[dt.date | None, Query(alias="from")] = None,
    to: dt.date | None = None,
    against: Literal["previous", "last-year", "last_year"] = "previous",
    where: Annotated[str | None, Query(max_length=2_000)] = None,
) -> JSONResponse:
    """Why a KPI moved, as ``shakhes explain --format json``."""
    from shakhes.service import why

    query = why.ExplainQuery(kpi, by, period, from_, to, against, where)
    record = why.record(why.explain(m.ws, query), m.ws.settings.locale)
    return schemas.answer(schemas.ExplainOut, record)


@router.get("/leads", response_model=schemas.LeadsOut)
def leads(
    m: Viewer,
    lagging: str,
    candidates: Annotated[str | None, Query(description="KPI ids, comma-separated.")] = None,
    max_lag: Annotated[int | None, Query(ge=0, le=60)] = None,
    grain: Literal["day", "week"] = "day",
    from_: Annotated[dt.date | None, Query(alias="from")] = None,
    to: dt.date | None = None,
) -> JSONResponse:
    """Which KPIs move before a lagging one, as ``shakhes leads --format json``."""
    from shakhes.service import leads as service

    query = service.LeadsQuery(lagging, candidates, max_lag, grain, from_, to)
    return schemas.answer(schemas.LeadsOut, service.records(service.leads(m.ws, query)))


@router.get("/anomalies", response_model=schemas.AnomaliesOut)
def anomalies(
    m: Viewer,
    kpis: Annotated[str | None, Query(description="KPI ids, comma-separated.")] = None,
    since: dt.date | None = None,
    by: str | None = None,
) -> JSONResponse:
    """Days a KPI broke from its expected value, as ``shakhes anomalies --format json``."""
    from shakhes.service import anomalies as service

    query = service.AnomaliesQuery(_split(kpis) or None, since, by)
    report = service.records(service.anomalies(m.ws, query))
    return schemas.answer(schemas.AnomaliesOut, report)
