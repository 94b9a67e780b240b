"""The server's settings: read from the environment, every one documented in docs/server.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from shakhes.server.settings import ServerSettings

DOC = Path(__file__).resolve().parents[2] / "docs" / "server.md"


@pytest.mark.parametrize("field", sorted(ServerSettings.model_fields))
def test_every_setting_is_documented(field: str) -> None:
    name = "SHAKHES_HOME" if field == "home" else f"SHAKHES_SERVER_{field.upper()}"
    assert f"`{name}`" in DOC.read_text(encoding="utf-8"), f"{name} is not in docs/server.md"


def test_settings_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SHAKHES_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("SHAKHES_SERVER_PORT", "9001")
    settings = ServerSettings()
    assert settings.port == 9001
    assert settings.store_url() == f"sqlite:///{(tmp_path / 'h').resolve()}/server.db"
    monkeypatch.setenv("SHAKHES_SERVER_METADATA_URL", "postgresql://u@h/db")
    assert ServerSettings().store_url() == "postgresql://u@h/db"


def test_the_app_imports_what_pages_import_lazily_before_serving() -> None:
    """In a new interpreter: building the app imports pandas and Plotly, which the pages would
    otherwise import on first use, from several threads at once (see SERVED_LAZILY)."""
    import subprocess
    import sys

    code = (
        "import sys, tempfile, pathlib\n"
        "from shakhes.server.app import SERVED_LAZILY, create_app\n"
        "from shakhes.server.settings import ServerSettings\n"
        "from shakhes.server.store import ServerStore\n"
        "home = pathlib.Path(tempfile.mkdtemp())\n"
        "before = [m for m in SERVED_LAZILY if m in sys.modules]\n"
        "url = f'sqlite:///{home / \"server.db\"}'\n"
        "create_app(ServerSettings(home=home), store=ServerStore.open(url, upgrade=True))\n"
        "print(before, [m for m in SERVED_LAZILY if m in sys.modules])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("] [")[0] == "["  # none of them before
    assert done.stdout.strip().endswith("['pandas', 'plotly.graph_objects', 'plotly.io']")
