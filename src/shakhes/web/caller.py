"""Who is looking at a page: what the server's ``caller`` dependency hands each page route."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from shakhes.workspace import Workspace

Role = Literal["viewer", "editor", "admin"]
Lang = Literal["en", "fa"]


@dataclass(frozen=True)
class WorkspaceChoice:
    """A workspace the user is a member of, for the switcher: its id (the ``{workspace}`` of
    page URLs) and its display name."""

    id: str
    name: str


@dataclass(frozen=True)
class PageCaller:
    """The signed-in user on one workspace, as the server resolved them.

    ``workspace`` is open and may be shared by requests running at once (its reads take turns
    by themselves); ``locale`` is the user's language; ``csrf_token`` goes into every form or
    ``fetch`` that changes state (hidden field ``csrf_token`` or header ``X-CSRF-Token``)."""

    email: str
    workspace: Workspace
    role: Role
    locale: Lang
    csrf_token: str
    workspaces: tuple[WorkspaceChoice, ...] = field(default_factory=tuple)

    @property
    def can_edit(self) -> bool:
        return self.role in ("editor", "admin")
