"""A workspace: a folder with ``shakhes.toml``, its metadata store and its warehouse.

``init`` creates one; ``find`` locates one (``--workspace``, ``SHAKHES_WORKSPACE``, or walking up
from the current directory); ``Workspace.open`` connects to both stores.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.exc import ArgumentError, OperationalError

from shakhes.data.model import table as model_table
from shakhes.data.rates import RatesLoaded, load_rates
from shakhes.data.warehouse import Warehouse
from shakhes.engine.calendar import CalendarSettings, Grain
from shakhes.engine.engine import Engine
from shakhes.errors import WorkspaceError
from shakhes.imports.customers import refresh_if_changed
from shakhes.imports.ledger import Ledger, UndoResult
from shakhes.imports.pipeline import (
    ImportOptions,
    ImportReport,
    Step,
    import_file,
    retry_quarantine,
)
from shakhes.settings import SETTINGS_FILE, CalendarKind, WorkspaceSettings, read_settings
from shakhes.spec.catalog import load_catalog
from shakhes.spec.kpi import KpiSpec
from shakhes.store.repo import MetadataStore

ENV_VAR = "SHAKHES_WORKSPACE"


def current_actor() -> str:
    """Who is making a change, for the audit log."""
    try:
        return os.environ.get("SHAKHES_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def find(explicit: Path | str | None = None, *, cwd: Path | None = None) -> Path:
    """The workspace folder: ``explicit``, else ``$SHAKHES_WORKSPACE``, else the nearest folder
    at or above ``cwd`` holding ``shakhes.toml``."""
    for candidate in (explicit, os.environ.get(ENV_VAR)):
        if candidate:
            path = Path(candidate).expanduser().resolve()
            if not (path / SETTINGS_FILE).is_file():
                raise WorkspaceError(
                    f"{path} is not a shakhes workspace (no {SETTINGS_FILE})",
                    hint=f"Create one with `shakhes init {path}`.",
                )
            return path
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise WorkspaceError(
        "no shakhes workspace here or above: create one with `shakhes init PATH` "
        "(or `shakhes demo`), or pass --workspace PATH"
    )


def _resolve_url(url: str, root: Path) -> str:
    """Make a relative SQLite path absolute inside the workspace."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(root / url.removeprefix(prefix))
    return url


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-")
    return slug[:60] or "workspace"


def init(
    root: Path,
    *,
    name: str | None = None,
    currency: str = "USD",
    locale: str = "en",
    calendar: str = "gregorian",
    week_start: str | None = None,
    fiscal_year_start_month: int = 1,
    time_zone: str | None = None,
    warehouse_url: str | None = None,
    metadata_url: str | None = None,
) -> Workspace:
    """Create a workspace at ``root`` with the built-in KPI catalog installed."""
    root = root.expanduser().resolve()
    if (root / SETTINGS_FILE).exists():
        raise WorkspaceError(
            f"{root} is already a shakhes workspace",
            hint="Use it as it is, or choose another folder.",
        )
    iranian = calendar == CalendarKind.JALALI or locale == "fa"
    settings_args: dict[str, Any] = {
        "id": _slug(name or root.name),
        "name": name or root.name,
        "currency": currency.upper(),
        "locale": locale,
        "calendar": calendar,
        "week_start": week_start or ("saturday" if iranian else "monday"),
        "fiscal_year_start_month": fiscal_year_start_month,
        "time_zone": time_zone or ("Asia/Tehran" if iranian else "UTC"),
    }
    if warehouse_url:
        settings_args["warehouse_url"] = warehouse_url
    if metadata_url:
        settings_args["metadata_url"] = metadata_url
    settings = WorkspaceSettings(**settings_args)
    before = set(root.iterdir()) if root.exists() else None
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, settings)
    try:
        ws.warehouse.ensure_schema()
        ws.store.ensure_workspace(settings.id, settings.name)
        ws.store.apply(settings.id, load_catalog(), actor=current_actor(), source="catalog")
    except BaseException:
        ws.close()
        _remove_new_files(root, before)
        raise
    (root / SETTINGS_FILE).write_text(settings.to_toml(), encoding="utf-8")
    return ws


def _remove_new_files(root: Path, before: set[Path] | None) -> None:
    """Undo a failed ``init``: remove what it created, so nothing half-made is left."""
    if before is None:
        shutil.rmtree(root, ignore_errors=True)
        return
    for path in set(root.iterdir()) - before:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


@dataclass
class Workspace:
    """An open workspace. Connections open on first use; ``close()`` releases them."""

    root: Path
    settings: WorkspaceSettings
    _store: MetadataStore | None = field(default=None, repr=False)
    _warehouse: Warehouse | None = field(default=None, repr=False)
    _engine: Engine | None = field(default=None, repr=False)
    _engine_defs_version: int = field(default=-1, repr=False)

    @classmethod
    def open(cls, explicit: Path | str | None = None) -> Workspace:
        root = find(explicit)
        return cls(root, read_settings(root))

    @property
    def id(self) -> str:
        return self.settings.id

    @property
    def store(self) -> MetadataStore:
        if self._store is None:
            url = _resolve_url(self.settings.metadata_url, self.root)
            try:
                self._store = MetadataStore.open(url)
            except (OperationalError, ArgumentError) as exc:
                raise WorkspaceError(
                    f"cannot open the metadata store at {self.settings.metadata_url}: "
                    f"{str(exc).splitlines()[0]}",
                    hint="Check metadata_url in shakhes.toml (or SHAKHES_METADATA_URL).",
                ) from None
        return self._store

    @property
    def warehouse(self) -> Warehouse:
        if self._warehouse is None:
            self._warehouse = Warehouse.connect(self.settings.warehouse_url, self.root)
        return self._warehouse

    @property
    def calendar(self) -> CalendarSettings:
        return CalendarSettings(
            week_start=self.settings.week_start_index,
            fiscal_year_start_month=self.settings.fiscal_year_start_month,
        )

    @property
    def default_grain(self) -> Grain:
        return Grain.JALALI_MONTH if self.settings.calendar == CalendarKind.JALALI else Grain.MONTH

    def definitions(self) -> dict[str, KpiSpec]:
        return {k.id: k for k in self.store.list_kpis(self.id)}

    @property
    def engine(self) -> Engine:
        """The engine over this workspace; its cache follows the data and definitions versions."""
        defs_version = self.store.versions(self.id)[1]
        if self._engine is None or self._engine_defs_version != defs_version:
            self._refresh_customers()
            self._engine_defs_version = defs_version
            self._engine = Engine(
                self.warehouse,
                self.definitions(),
                calendar=self.calendar,
                params=self.settings.parameters,
                currency=self.settings.currency,
                version=lambda: self.store.versions(self.id),
            )
        return self._engine

    def _refresh_customers(self) -> None:
        """Work the customers from orders out again if the inactivity window in
        ``shakhes.toml`` changed since they were (see :mod:`shakhes.imports.customers`)."""
        if refresh_if_changed(self.warehouse, self.settings.customer_inactivity_days):
            self.store.bump_data_version(
                self.id,
                current_actor(),
                {"customers_from_orders": self.settings.customer_inactivity_days},
            )

    def load(
        self, table: str, path: Path, progress: Callable[[Step], None] | None = None
    ) -> ImportReport:
        """Strictly load a canonical file into ``table``: all or nothing, every problem listed.
        It goes through the import pipeline with ``strict``, so it is in the import log and
        ``shakhes imports undo`` takes it back (``progress`` as :class:`ImportOptions` has it)."""
        name = model_table(table).name
        options = ImportOptions(
            source=f"canonical:{name}", strict=True, actor=current_actor(), progress=progress
        )
        return self.import_file(path, options)

    def import_file(self, path: Path, options: ImportOptions) -> ImportReport:
        """Import one export file (see :mod:`shakhes.imports.pipeline`)."""
        options = replace(options, inactivity_days=self.settings.customer_inactivity_days)
        report = import_file(self.warehouse, path, options)
        if report.import_id is not None:
            self.store.bump_data_version(
                self.id,
                options.actor,
                {
                    "import": report.import_id,
                    "file": str(path),
                    "table": report.table,
                    "accepted": report.accepted,
                    "replaced": report.replaced,
                    "removed": report.removed,
                },
            )
        return report

    def retry_quarantine(self, import_id: int, options: ImportOptions) -> tuple[ImportReport, int]:
        """Import again the rows an import quarantined; see :func:`retry_quarantine`."""
        options = replace(options, inactivity_days=self.settings.customer_inactivity_days)
        with tempfile.TemporaryDirectory() as folder:
            report, resolved = retry_quarantine(self.warehouse, import_id, options, Path(folder))
        if report.import_id is not None:
            self.store.bump_data_version(
                self.id,
                options.actor,
                {
                    "retry_quarantine": import_id,
                    "import": report.import_id,
                    "resolved": resolved,
                },
            )
        return report, resolved

    def load_rates(self, path: Path) -> RatesLoaded:
        """Load exchange rates to the reporting currency (see :mod:`shakhes.data.rates`)."""
        loaded = load_rates(self.warehouse, path, self.settings.currency)
        self.store.bump_data_version(
            self.id,
            current_actor(),
            {
                "rates": list(loaded.currencies),
                "file": str(path),
                "days": loaded.days,
            },
        )
        return loaded

    def undo_import(self, import_id: int) -> UndoResult:
        """Undo an import: remove its rows and restore what it replaced."""
        ledger = Ledger(self.warehouse, inactivity_days=self.settings.customer_inactivity_days)
        result = ledger.undo(import_id)
        self.store.bump_data_version(
            self.id,
            current_actor(),
            {
                "undo_import": import_id,
                "deleted": result.deleted,
                "restored": result.restored,
            },
        )
        return result

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
        if self._warehouse is not None:
            self._warehouse.close()
