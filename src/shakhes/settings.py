"""Workspace settings: ``shakhes.toml``, overridable by ``SHAKHES_*`` environment variables.

Example ``shakhes.toml``::

    [workspace]
    id = "acme"
    name = "Acme marketing"
    currency = "USD"
    locale = "en"                 # en | fa
    calendar = "gregorian"        # gregorian | jalali
    week_start = "monday"         # saturday for Iranian workspaces
    fiscal_year_start_month = 1
    time_zone = "UTC"
    customer_inactivity_days = 90 # customers from orders churn this long after their last
    warehouse_url = "duckdb:///warehouse.duckdb"   # relative paths are inside the workspace
    metadata_url = "sqlite:///metadata.db"

    [parameters]
    gross_margin = 0.4            # makes ROI margin-based
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from shakhes.errors import WorkspaceError
from shakhes.locate import SETTINGS_FILE as SETTINGS_FILE


class Locale(StrEnum):
    EN = "en"
    FA = "fa"


class CalendarKind(StrEnum):
    GREGORIAN = "gregorian"
    JALALI = "jalali"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class WorkspaceSettings(BaseSettings):
    """Everything a workspace is configured with. Environment variables named
    ``SHAKHES_<FIELD>`` (e.g. ``SHAKHES_WAREHOUSE_URL``) override the file."""

    model_config = SettingsConfigDict(env_prefix="SHAKHES_", extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    name: str
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    locale: Locale = Locale.EN
    calendar: CalendarKind = CalendarKind.GREGORIAN
    week_start: str = "monday"
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    time_zone: str = "UTC"
    warehouse_url: str = "duckdb:///warehouse.duckdb"
    metadata_url: str = "sqlite:///metadata.db"
    customer_inactivity_days: int = Field(default=90, ge=1, le=3660)
    """Customers worked out from the orders (a shop without a customer list) churn this many
    days after their last order (see :mod:`shakhes.imports.customers`)."""
    parameters: dict[str, float] = Field(default_factory=dict)

    @field_validator("week_start")
    @classmethod
    def _check_week_start(cls, value: str) -> str:
        value = value.lower()
        if value not in WEEKDAYS:
            raise ValueError(f"week_start must be one of {', '.join(WEEKDAYS)}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file, so CI or a server can point a workspace elsewhere.
        return env_settings, init_settings

    @property
    def week_start_index(self) -> int:
        """Python weekday number of the first day of the week (Monday = 0, Saturday = 5)."""
        return WEEKDAYS.index(self.week_start)

    @property
    def gross_margin(self) -> float | None:
        return self.parameters.get("gross_margin")

    def to_toml(self) -> str:
        data = self.model_dump(mode="json")
        parameters = data.pop("parameters")
        return tomli_w.dumps({"workspace": data, "parameters": parameters})


def read_settings(root: Path) -> WorkspaceSettings:
    """Read ``root/shakhes.toml``; a clear error naming the file and field otherwise."""
    path = root / SETTINGS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkspaceError(f"{path} does not exist") from None
    return settings_from_text(text, path)


def settings_from_text(text: str, path: Path) -> WorkspaceSettings:
    """The settings of ``text``, the content of ``path`` (``shakhes.toml``), with the
    ``SHAKHES_*`` environment variables; a clear error naming the file and field otherwise."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(f"{path}: {exc}") from None
    data: dict[str, Any] = dict(raw.get("workspace", {}))
    data["parameters"] = raw.get("parameters", {})
    try:
        return WorkspaceSettings(**data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise WorkspaceError(f"{path}: {problems}") from None
