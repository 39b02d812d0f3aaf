"""A minimal Chrome DevTools Protocol driver for headless Chromium: navigate, evaluate, wait.

Chromium is started with ``--remote-debugging-port=0`` on loopback; commands go over the page's websocket
(``websockets``' sync client). Enough to walk a single-page app without Selenium or Playwright.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1400,1000",
)


def find_chromium() -> str | None:
    """Debian's ``chromium`` (``.ci/run`` installs it), or ``None``."""
    candidates = ("/usr/bin/chromium", shutil.which("chromium"))
    return next((path for path in candidates if path and os.path.exists(path)), None)


class BrowserError(AssertionError):
    """The page did not reach the expected state, or a script failed in it."""


class Page:
    """One tab: ``navigate``, ``evaluate`` JavaScript and ``wait_for`` a condition."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket
        self._ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one CDP command and return its result (events received meanwhile are dropped)."""
        message_id = next(self._ids)
        self._socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self._socket.recv(timeout=60))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result

    def navigate(self, url: str) -> None:
        self.send("Page.navigate", url=url)

    def click(self, element: str) -> None:
        """A real mouse click in the middle of the element a JavaScript expression gives."""
        box = self.evaluate(
            f"(e => {{ e.scrollIntoView({{block: 'center'}}); const r = e.getBoundingClientRect();"
            f" return [r.x + r.width / 2, r.y + r.height / 2]; }})({element})"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)

    def type_into(self, selector: str, text: str) -> None:
        """Focus the element and type ``text`` as keyboard input (so a React form sees it)."""
        self.evaluate(f"document.querySelector({json.dumps(selector)}).focus()")
        self.send("Input.insertText", text=text)

    def status(self) -> int:
        """The HTTP status of the page's document."""
        return int(self.evaluate("performance.getEntriesByType('navigation')[0].responseStatus"))

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited if a promise)."""
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"{expression[:200]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str, timeout: float = 30) -> Any:
        """Poll until the expression is truthy, and return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(BrowserError):  # a navigation may destroy the context mid-call
                if value := self.evaluate(expression):
                    return value
            time.sleep(0.25)
        text = self.evaluate("document.body ? document.body.innerText.slice(0, 1500) : ''")
        raise BrowserError(f"timed out waiting for {what} at {self.evaluate('location.href')}:\n{text}")


def _devtools_port(profile: Path, process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    marker = profile / "DevToolsActivePort"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrowserError(f"chromium exited with code {process.returncode}")
        if marker.exists() and (lines := marker.read_text().splitlines()):
            return int(lines[0])
        time.sleep(0.1)
    raise BrowserError("chromium did not open its DevTools port")


@contextlib.contextmanager
def chromium_page(chromium: str, profile: Path) -> Iterator[Page]:
    """A headless Chromium with one blank tab; the browser is killed on exit."""
    process = subprocess.Popen(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port = _devtools_port(profile, process)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            targets = json.load(response)
        page_url = next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")
        with connect(page_url, max_size=None) as socket:
            page = Page(socket)
            page.send("Page.enable")
            yield page
    finally:
        process.kill()
        process.wait(timeout=30)
