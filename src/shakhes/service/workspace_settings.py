"""A workspace's settings as the web app edits them: read, and change (``shakhes.toml``
rewritten atomically, checked by :class:`~shakhes.settings.WorkspaceSettings`, audit-logged,
and the open workspace switched to them).

Only the settings a marketer sets are editable here (:data:`EDITABLE`); the id, the storage
URLs and the time zone stay with ``shakhes.toml`` and the command line.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import tomli_w
from pydantic import ValidationError

from shakhes.errors import Issue, ShakhesError
from shakhes.settings import SETTINGS_FILE, WorkspaceSettings

if TYPE_CHECKING:
    from shakhes.workspace import Workspace

EDITABLE = (
    "name",
    "currency",
    "locale",
    "calendar",
    "week_start",
    "fiscal_year_start_month",
    "gross_margin",
)
"""The settings :func:`update` may change (``gross_margin`` is ``[parameters]``' own)."""


@dataclass(frozen=True)
class SettingsView:
    """What the settings page and ``GET …/settings`` show."""

    name: str
    currency: str
    locale: str
    calendar: str
    week_start: str
    fiscal_year_start_month: int
    gross_margin: float | None

    def to_dict(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in EDITABLE}


def from_environment() -> dict[str, str]:
    """The editable settings a ``SHAKHES_*`` environment variable overrides now, each with the
    variable's name (``gross_margin`` is in ``SHAKHES_PARAMETERS``): the server serves the
    variable's value whatever the file says."""
    names = {name.upper() for name in os.environ}
    found = {}
    for key in EDITABLE:
        variable = "SHAKHES_PARAMETERS" if key == "gross_margin" else f"SHAKHES_{key.upper()}"
        if variable in names:
            found[key] = variable
    return found


def view(ws: Workspace) -> SettingsView:
    """The workspace's editable settings as it serves them now."""
    s = ws.settings
    return SettingsView(
        name=s.name,
        currency=s.currency,
        locale=s.locale.value,
        calendar=s.calendar.value,
        week_start=s.week_start,
        fiscal_year_start_month=s.fiscal_year_start_month,
        gross_margin=s.gross_margin,
    )


def update(ws: Workspace, changes: dict[str, Any], *, actor: str) -> SettingsView:
    """Change the settings named in ``changes`` (keys of :data:`EDITABLE`; ``gross_margin``
    None removes it). Every invalid value is reported at once (code ``invalid_settings``,
    one issue per field); nothing is written then. Otherwise ``shakhes.toml`` is replaced
    in one step (a reader never sees half a file), the change is in the workspace's audit
    log, and ``ws`` serves with the new settings at once.

    Only the file's own values are written back, with the fields changed: a value equal to
    the one served now is not a change, and a setting a ``SHAKHES_*`` environment variable
    overrides keeps the file's value (the environment still wins when it is served)."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ShakhesError(
            f"these settings cannot be changed here: {', '.join(unknown)}",
            code="invalid_settings",
            hint=f"Change only {', '.join(EDITABLE)}; edit {SETTINGS_FILE} for the others.",
        )
    before = view(ws)
    path = ws.root / SETTINGS_FILE
    # A value equal to the one served now is no change: above all one that came from a
    # SHAKHES_* environment variable, which must never be written into the file.
    changes = {k: v for k, v in changes.items() if before.to_dict()[k] != v}
    with ws.writing("change of the workspace settings"):
        # The file's own values, changed where asked: never the settings as served (the
        # environment's overrides and the defaults applied).
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        current = dict(raw.get("workspace", {}))
        parameters = dict(raw.get("parameters", {}))
        for key, value in changes.items():
            if key == "gross_margin":
                if value is None:
                    parameters.pop("gross_margin", None)
                else:
                    parameters["gross_margin"] = value
            else:
                current[key] = value
        new = _checked({**current, "parameters": parameters})
        if new.gross_margin is not None and not 0 < new.gross_margin <= 1:
            raise ShakhesError(
                f"gross margin {new.gross_margin} is not a fraction between 0 and 1",
                code="invalid_settings",
                hint="Give the margin as a fraction: 0.4 for 40 %.",
                issues=[
                    Issue(
                        code="invalid_settings",
                        message="must be more than 0 and at most 1",
                        field="gross_margin",
                    )
                ],
            )
        _write_atomically(
            path, tomli_w.dumps({**raw, "workspace": current, "parameters": parameters})
        )
        ws.use_settings(new)
        after = view(ws)
        with ws.store.writing() as session:
            ws.store.audit_in(
                session,
                ws.id,
                "settings",
                "settings",
                "update",
                before.to_dict(),
                after.to_dict(),
                actor,
                datetime.now(UTC),
            )
    return after


def _checked(data: dict[str, Any]) -> WorkspaceSettings:
    try:
        return WorkspaceSettings(**data)
    except ValidationError as exc:
        issues = [
            Issue(
                code="invalid_settings",
                message=str(err["msg"]).removeprefix("Value error, "),
                field=".".join(str(p) for p in err["loc"]),
            )
            for err in exc.errors()
        ]
        raise ShakhesError(
            "; ".join(f"{i.field}: {i.message}" for i in issues),
            code="invalid_settings",
            hint="Correct the fields named and save again.",
            issues=issues,
        ) from None


def _write_atomically(path: Path, text: str) -> None:
    handle, name = tempfile.mkstemp(prefix=".shakhes-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
