"""A workspace's goals and targets, imports (upload with dry run, log, undo), quarantined rows
(list, CSV export, retry) and audit log: ``/api/v1/workspaces/{workspace}/…``.

Goals and targets answer with the JSON of ``shakhes goal …``/``target … --format json``
(the same service records)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from shakhes.errors import ShakhesError
from shakhes.server import schemas
from shakhes.server.deps import Editor, Member, Viewer
from shakhes.server.errors import shakhes_error_body

if TYPE_CHECKING:
    from shakhes.spec.goals import GoalSpec

router = APIRouter(prefix="/api/v1/workspaces/{workspace}", tags=["data"])

Day = Annotated[dt.date | None, Query(description="A day, YYYY-MM-DD.")]


class KpiLink(BaseModel):
    kpi: str
    kind: Literal["strategic", "operational", "functional"] | None = None


class GoalFields(BaseModel):
    """A goal's fields but its id, as ``shakhes goal add`` takes them."""

    title: str = ""
    title_fa: str = ""
    description: str = ""
    description_fa: str = ""
    owner: str = ""
    period: str = Field(min_length=1, description="2025, 2025-Q2, 1404, 2025-03-21..2026-03-20")
    calendar: Literal["gregorian", "jalali"] | None = None
    kpis: list[KpiLink] = Field(default_factory=list)
    drives: dict[str, list[str]] = Field(
        default_factory=dict, description="Leading KPI → the lagging KPIs it drives."
    )


class GoalIn(GoalFields):
    """What ``shakhes goal add`` takes."""

    id: str = Field(min_length=1, max_length=63)


class GoalEditIn(GoalFields):
    """A goal as it should be from now on: every field (those left out are emptied). The id is
    the route's; a body ``id`` must be the same."""

    id: str | None = None


class TargetIn(BaseModel):
    """What ``shakhes target set`` takes: a fixed ``period`` or a recurring ``every``."""

    kpi: str
    id: str | None = None
    scope: str | None = Field(default=None, max_length=2_000)
    period: str | None = None
    every: Literal["month", "quarter", "year"] | None = None
    start: dt.date | None = Field(default=None, alias="from")
    end: dt.date | None = Field(default=None, alias="to")
    calendar: Literal["gregorian", "jalali"] | None = None
    value: float | None = None
    min: float | None = None
    max: float | None = None
    owner: str | None = None
    note: str | None = None
    goal: str | None = Field(default=None, description="Link to this goal ('' to unlink).")

    model_config = {"populate_by_name": True}


class GoalRemoved(BaseModel):
    removed: str
    kpis: list[str] = Field(description="The KPIs it linked (they stay).")


class TargetRemoved(BaseModel):
    removed: str
    revision: int


class UndoOut(BaseModel):
    import_id: int
    deleted: int
    restored: int
    together: list[int]


class AuditOut(BaseModel):
    at: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    detail: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class RetryIn(BaseModel):
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    account: str | None = None


# ---- goals and targets ---------------------------------------------------------------------


@router.get("/goals", response_model=list[schemas.GoalOut])
def list_goals(m: Viewer, on: Day = None) -> JSONResponse:
    """Every goal with its KPIs and targets, as ``shakhes goal list --format json``."""
    from shakhes.service import goals

    records = [goals.goal_tree_record(tree) for tree in goals.goal_trees(m.ws, on=on)]
    return schemas.answer(list[schemas.GoalOut], records)


@router.get("/goals/{goal_id}", response_model=schemas.GoalOut)
def get_goal(goal_id: str, m: Viewer, on: Day = None) -> JSONResponse:
    """One goal's tree, as ``shakhes goal show --format json``."""
    from shakhes.service import goals

    record = goals.goal_tree_record(goals.goal_tree(m.ws, goal_id, on=on))
    return schemas.answer(schemas.GoalOut, record)


def _goal_spec(m: Member, goal_id: str, body: GoalFields) -> GoalSpec:
    """The goal ``body`` describes, checked as ``shakhes goal add`` checks it."""
    from shakhes.service import goals

    return goals.new_goal(
        m.ws,
        goal_id,
        title_en=body.title,
        title_fa=body.title_fa,
        description_en=body.description,
        description_fa=body.description_fa,
        owner=body.owner,
        period=body.period,
        calendar=body.calendar,
        kpis=[(link.kpi, link.kind) for link in body.kpis],
        drives=body.drives,
    )


@router.post("/goals", status_code=201, response_model=schemas.GoalOut)
def add_goal(body: GoalIn, m: Editor) -> JSONResponse:
    """Add a goal (an id already taken is refused: 409)."""
    from shakhes.service import goals

    spec = _goal_spec(m, body.id, body)
    goals.add_goal(m.ws, spec)
    record = goals.goal_tree_record(goals.goal_tree(m.ws, spec.id))
    return schemas.answer(schemas.GoalOut, record, status_code=201)


@router.put("/goals/{goal_id}", response_model=schemas.GoalOut)
def edit_goal(goal_id: str, body: GoalEditIn, m: Editor) -> JSONResponse:
    """Change a goal: its titles, descriptions, owner, period and KPIs (what ``POST /goals``
    takes), checked against the KPIs and its targets; the change is in the audit log."""
    from shakhes.service import goals

    if body.id is not None and body.id != goal_id:
        raise ShakhesError(
            f"the body's id '{body.id}' is not the goal's '{goal_id}'",
            code="id_mismatch",
            hint="A goal's id cannot change: add a new goal instead.",
        )
    spec = _goal_spec(m, goal_id, body)
    goals.edit_goal(m.ws, spec)
    record = goals.goal_tree_record(goals.goal_tree(m.ws, goal_id))
    return schemas.answer(schemas.GoalOut, record)


@router.delete("/goals/{goal_id}")
def remove_goal(goal_id: str, m: Editor) -> GoalRemoved:
    """Remove a goal with its KPI links and leading → lagging links (the KPIs stay; the audit
    log keeps the goal as it was). Refused while targets serve it (409 ``goal_has_targets``,
    whose message names them): remove or unlink those first."""
    from shakhes.service import goals

    goal = goals.remove_goal(m.ws, goal_id)
    return GoalRemoved(removed=goal.id, kpis=[link.kpi for link in goal.kpis])


@router.get("/targets", response_model=list[schemas.TargetOut])
def list_targets(
    m: Viewer,
    kpi: str | None = None,
    goal: str | None = None,
    on: Day = None,
    active: bool = False,
) -> JSONResponse:
    """The current targets, as ``shakhes target list --format json``."""
    from shakhes.service import goals

    views = goals.targets(m.ws, kpi=kpi, goal=goal, on=on, active=active)
    return schemas.answer(list[schemas.TargetOut], [goals.target_record(v) for v in views])


@router.get("/targets/{target_id}", response_model=schemas.TargetDetailOut)
def get_target(target_id: str, m: Viewer, on: Day = None) -> JSONResponse:
    """One target with its history, as ``shakhes target show --format json``."""
    from shakhes.service import goals

    record = goals.target_detail_record(goals.target_detail(m.ws, target_id, on=on))
    return schemas.answer(schemas.TargetDetailOut, record)


@router.post("/targets", response_model=schemas.TargetChangeOut)
def set_target(body: TargetIn, m: Editor) -> JSONResponse:
    """Set a KPI's target (add it, or change it: the earlier version is kept), as
    ``shakhes target set --format json``."""
    from shakhes.service import goals

    if body.period is not None and body.every is not None:
        raise ShakhesError(
            "give period (a fixed range) or every (a recurring period), not both",
            code="bad_option",
        )
    span: Any = None
    if body.period is not None:
        span = goals.fixed_period(m.ws, body.period, body.calendar)
    elif body.every is not None:
        span = goals.recurring_period(
            m.ws, body.every, body.calendar, start=body.start, end=body.end
        )
    extra: dict[str, Any] = {} if body.goal is None else {"goal": body.goal or None}
    change = goals.set_target(
        m.ws,
        body.kpi,
        target_id=body.id,
        scope=body.scope,
        period=span,
        value=body.value,
        min=body.min,
        max=body.max,
        owner=body.owner,
        note=body.note,
        **extra,
    )
    view = next(v for v in goals.targets(m.ws, kpi=body.kpi) if v.spec.id == change.spec.id)
    return schemas.answer(schemas.TargetChangeOut, goals.target_change_record(change, view))


@router.delete("/targets/{target_id}")
def remove_target(target_id: str, m: Editor) -> TargetRemoved:
    """End a target (its history is kept)."""
    from shakhes.service import goals

    record = goals.remove_target(m.ws, target_id)
    return TargetRemoved(removed=target_id, revision=record.revision)


# ---- imports ------------------------------------------------------------------------------------


def _safe_name(name: str | None, index: int) -> str:
    base = Path(name or "").name
    base = re.sub(r"[^\w.\-]+", "_", base).strip("._")
    return base or f"upload-{index}"


def _shown_name(name: str | None, index: int) -> str:
    """The uploaded file's own name, as the user's computer named it (without folders or
    control characters): what the import log, the quarantine and the answer show."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if c.isprintable()).strip()
    return base or f"upload-{index}"


@router.post("/imports", response_model=list[schemas.UploadOut])
def upload(
    request: Request,
    m: Editor,
    files: Annotated[list[UploadFile], File(description="One or more export files.")],
    dry_run: Annotated[bool, Form()] = False,
    source: Annotated[str, Form()] = "auto",
    currency: Annotated[str | None, Form(pattern=r"^[A-Z]{3}$")] = None,
    account: Annotated[str | None, Form(max_length=200)] = None,
    replace_range: Annotated[bool, Form()] = False,
    mapping: Annotated[
        UploadFile | None,
        File(
            description="A mapping file (YAML, or the same as JSON) for a layout shakhes does "
            "not know, as `shakhes import --mapping` takes it; it applies to every file."
        ),
    ] = None,
) -> JSONResponse:
    """Import uploaded files, each its own import (a refused file does not stop the others);
    with ``dry_run``, only report what would happen; with a ``mapping``, read them as it says.
    One record per file: its report, or the error that refused it (in the one error shape,
    in the language of ``Accept-Language``)."""
    from shakhes.imports.report import ImportOptions
    from shakhes.service import imports
    from shakhes.service.records import to_record
    from shakhes.workspace import current_actor

    with tempfile.TemporaryDirectory(prefix="shakhes-upload-") as folder:
        mapping_path, mapping_name = None, ""
        if mapping is not None and mapping.filename:
            mapping_name = _shown_name(mapping.filename, 0)
            # Its own name (errors and the import log name it), in a folder of its own.
            mapping_path = Path(folder) / "mapping" / _safe_name(mapping.filename, 0)
            mapping_path.parent.mkdir()
            with mapping_path.open("wb") as out:
                shutil.copyfileobj(mapping.file, out)
        options = ImportOptions(
            source=source,
            mapping=mapping_path,
            dry_run=dry_run,
            currency=currency,
            account=account,
            replace_range=replace_range,
            actor=current_actor(),
        )
        paths = []
        names = [_shown_name(f.filename, index) for index, f in enumerate(files)]
        for index, upload_file in enumerate(files):
            path = Path(folder) / f"{index}" / _safe_name(upload_file.filename, index)
            path.parent.mkdir()
            with path.open("wb") as out:
                shutil.copyfileobj(upload_file.file, out)
            paths.append(path)
        outcomes = imports.import_files(m.ws, paths, options, names=names)
    records = [
        _uploaded_as(
            {
                "file": name,
                "report": to_record(outcome.report) if outcome.report else None,
                "error": shakhes_error_body(outcome.error, request) if outcome.error else None,
            },
            outcome.path,
            name,
        )
        for outcome, name in zip(outcomes, names, strict=True)
    ]
    if mapping_path is not None:  # a mapping file's problems name it by its own name too
        records = _uploaded_as(records, mapping_path, mapping_name)
    return schemas.answer(list[schemas.UploadOut], records)


def _uploaded_as(value: Any, path: Path, name: str) -> Any:
    """``value`` with the uploaded file's place on the server (a temporary folder) written as
    the file's own ``name``, in every text it holds (reports and messages name the file they
    read)."""
    if isinstance(value, str):
        return value.replace(str(path), name)
    if isinstance(value, list):
        return [_uploaded_as(v, path, name) for v in value]
    if isinstance(value, dict):
        return {k: _uploaded_as(v, path, name) for k, v in value.items()}
    return value


@router.get("/imports", response_model=list[schemas.ImportLogEntry])
def import_log(m: Viewer, limit: Annotated[int, Query(ge=1, le=10_000)] = 20) -> JSONResponse:
    """The import log, newest first."""
    from shakhes.service import imports
    from shakhes.service.records import to_record

    records = [to_record(r) for r in imports.imports(m.ws, limit)]
    return schemas.answer(list[schemas.ImportLogEntry], records)


@router.post("/imports/{import_id}/undo")
def undo_import(import_id: int, m: Editor) -> UndoOut:
    """Undo an import: remove its rows and restore what it replaced."""
    from shakhes.service import imports

    done = imports.undo(m.ws, import_id)
    return UndoOut(
        import_id=done.import_id,
        deleted=done.deleted,
        restored=done.restored,
        together=list(done.together),
    )


@router.get("/quarantine", response_model=list[schemas.QuarantinedRow])
def quarantine(
    m: Viewer, import_id: Annotated[int | None, Query(alias="import")] = None
) -> JSONResponse:
    """Quarantined rows: import, file, line, column, value, reason (``message``) and its
    ``code`` (``quarantined`` for a row kept before rows kept their code, whose code could not
    be worked out from its text)."""
    from shakhes.service import imports

    records = [
        {"import_id": q.import_id, "file": Path(q.file_name).name, **q.issue.to_dict()}
        for q in imports.quarantined(m.ws, import_id)
    ]
    return schemas.answer(list[schemas.QuarantinedRow], records)


@router.get(
    "/quarantine.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def quarantine_csv(
    m: Viewer, import_id: Annotated[int | None, Query(alias="import")] = None
) -> Response:
    """Quarantined rows as CSV (the original cells after import, line, column, reason and
    code), as ``shakhes quarantine export``."""
    from shakhes.service import imports

    header, rows = imports.quarantine_table(imports.quarantined(m.ws, import_id))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="quarantine.csv"'},
    )


@router.post("/imports/{import_id}/retry", response_model=schemas.RetryOut)
def retry_quarantine(import_id: int, body: RetryIn, m: Editor) -> JSONResponse:
    """Import again the rows an import quarantined, with a currency or account that fixes
    them; returns the new import's report and how many rows it resolved."""
    from shakhes.imports.report import ImportOptions
    from shakhes.service import imports
    from shakhes.service.records import to_record
    from shakhes.workspace import current_actor

    options = ImportOptions(currency=body.currency, account=body.account, actor=current_actor())
    report, resolved = imports.retry(m.ws, import_id, options)
    return schemas.answer(schemas.RetryOut, {"report": to_record(report), "resolved": resolved})


# ---- audit --------------------------------------------------------------------------------------


@router.get("/audit")
def audit(
    m: Viewer,
    entity: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 20,
) -> list[AuditOut]:
    """The workspace's audit log, newest first, as ``shakhes audit``."""
    from shakhes.service.audit import audit as audit_log

    return [
        AuditOut(
            at=e.at,
            actor=e.actor,
            action=e.action,
            entity_type=e.entity_type,
            entity_id=e.entity_id,
            detail=e.detail,
            before=dict(e.before) if e.before is not None else None,
            after=dict(e.after) if e.after is not None else None,
        )
        for e in audit_log(m.ws, entity=entity, limit=limit)
    ]
