"""What an app holds for its life: its settings, the server store and the open workspaces.

Each hosted workspace is opened once, on first use (:class:`~shakhes.workspace.Workspace` is
thread-safe), and closed when the app shuts down.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from shakhes.server.settings import ServerSettings
from shakhes.server.store import ServerStore, WorkspaceInfo
from shakhes.workspace import Workspace


@dataclass
class ServerState:
    settings: ServerSettings
    store: ServerStore
    _open: dict[str, Workspace] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def workspace(self, info: WorkspaceInfo) -> Workspace:
        """The open workspace of ``info`` (opened on first use)."""
        with self._lock:
            ws = self._open.get(info.id)
            if ws is None:
                ws = Workspace.open(Path(info.path), wait=self.settings.workspace_wait)
                self._open[info.id] = ws
            return ws

    def close(self) -> None:
        with self._lock:
            for ws in self._open.values():
                ws.close()
            self._open.clear()
        self.store.close()


def register(store: ServerStore, path: Path, *, actor: str) -> tuple[WorkspaceInfo, bool]:
    """Host the workspace at ``path`` (checked by opening its settings); True when new."""
    ws = Workspace.open(path)
    try:
        info = WorkspaceInfo(ws.id, str(ws.root.resolve()), ws.settings.name)
    finally:
        ws.close()
    new = store.register_workspace(info.id, info.path, info.name, actor=actor)
    return info, new
