"""What the browser tests share: Debian's chromium (a test fails when it is missing, unless
``SHAKHES_SKIP_BROWSER=1`` skips them;
one per test process, started when a test first needs it: a launch takes seconds on a busy
machine), the folder of their screenshots, and a real uvicorn server for an app on a free
port."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

SKIP = os.environ.get("SHAKHES_SKIP_BROWSER") == "1"
"""Skip the browser tests, said out loud (``SHAKHES_SKIP_BROWSER=1``): without it a machine
without chromium fails them (as a stopped PostgreSQL fails its tests), so that a run cannot
pass without them unnoticed."""

MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(SKIP, reason="SHAKHES_SKIP_BROWSER=1: the browser tests are skipped"),
]
"""``pytestmark`` of a browser test module."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(app: Any, *, timeout: float = 20.0) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError(f"the test server did not start on port {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's chromium, launched headless through Playwright."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}: `apt-get install chromium` "
            "(.ci/run does), or set SHAKHES_SKIP_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


_SHARED = ExitStack()
_BROWSER: list[Any] = []


def shared_chromium() -> Any:
    """The test process's one chromium (:func:`chromium`), launched on first use and closed by
    :func:`close_shared_chromium`. Each test opens its own context or page in it (cookies and
    storage are per context), so tests do not see each other's sessions."""
    if not _BROWSER:
        _BROWSER.append(_SHARED.enter_context(chromium()))
    return _BROWSER[0]


def close_shared_chromium() -> None:
    """Close the shared chromium, if it was started (at the end of the test session)."""
    _BROWSER.clear()
    _SHARED.close()


def wait_for_panels(page: Any, timeout: float = 30000) -> None:
    """Wait until every panel of the page that loads after it (a KPI page's ``[data-panel]``
    slots) is filled, and check none failed."""
    page.wait_for_function(
        "document.querySelectorAll('[data-panel]:not([data-loaded]):not([data-failed])')"
        ".length === 0",
        timeout=timeout,
    )
    failed = page.locator("[data-panel][data-failed]").evaluate_all(
        "slots => slots.map(s => s.dataset.panel)"
    )
    assert failed == [], f"panels that did not load: {failed}"
