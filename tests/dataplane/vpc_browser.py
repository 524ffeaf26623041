"""Headless Chromium inside an instance's network, driven over the DevTools pipe.

The browser runs through `privlink exec INSTANCE --`, so it resolves names with the
VPC's resolver and reaches the web server through the endpoint, as a browser on the
instance would. It trusts privlink's CA the way a Linux machine's Chromium trusts any
CA: the CA certificate is in the NSS database of the browser's (fresh) home. A
DevTools TCP port would listen inside the namespace, out of the test's reach, so the
protocol travels over `--remote-debugging-pipe` (fd 3 in, fd 4 out, NUL-terminated
JSON), which crosses the namespace boundary with the process.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.dataplane.world import VENV_BIN

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    "--window-size=1400,900", "--remote-debugging-pipe",
]  # fmt: skip


def trusting_home(ca_pem: Path) -> Path:
    """A fresh home whose NSS database trusts privlink's CA for TLS servers."""
    home = Path(tempfile.mkdtemp(prefix="privlink-browser-"))
    nssdb = home / ".pki" / "nssdb"
    nssdb.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{nssdb}", "-N", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-d", f"sql:{nssdb}", "-A", "-t", "C,,", "-n", "privlink", "-i", str(ca_pem)],
        check=True,
    )
    return home


class VpcBrowser:
    """One Chromium in an instance's namespace with one page; `close` ends it."""

    def __init__(self, instance: str, ca_pem: Path) -> None:
        self.home = trusting_home(ca_pem)
        to_browser, self._commands = os.pipe()
        self._answers, from_browser = os.pipe()
        shell = f'exec "$@" 3<&{to_browser} 4>&{from_browser}'  # bash: fds over 9 too
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "privlink"), "exec", instance, "--", "bash", "-c", shell, "bash",
             "env", f"HOME={self.home}", CHROMIUM, *FLAGS,
             f"--user-data-dir={self.home / 'profile'}", "about:blank"],
            pass_fds=(to_browser, from_browser),
            stdout=subprocess.DEVNULL, stderr=open(self.home / "chromium.log", "wb"),
        )  # fmt: skip
        os.close(to_browser)
        os.close(from_browser)
        self.ids = itertools.count(1)
        self.buffer = b""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        attached = self.call("Target.attachToTarget", targetId=target, flatten=True)
        self.session = attached["sessionId"]

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            chunk = os.read(self._answers, 1 << 20)
            if not chunk:
                log = (self.home / "chromium.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"chromium closed its DevTools pipe: {log}")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        return dict(json.loads(message))

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        message_id = next(self.ids)
        request: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if session:
            request["sessionId"] = session
        os.write(self._commands, json.dumps(request).encode() + b"\0")
        while True:
            message = self._read()
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))

    def page(self, method: str, **params: Any) -> dict[str, Any]:
        return self.call(method, self.session, **params)

    def goto(self, url: str) -> None:
        self.page("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        result = self.page("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"evaluate: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """The value of `expression` once it is truthy (the page navigates meanwhile)."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            try:
                last = self.evaluate(expression)
            except RuntimeError:  # the page is between documents
                last = None
            if last:
                return last
            time.sleep(0.25)
        url = self.evaluate("location.href")
        raise AssertionError(f"{expression!r} never held (page {url}, last {last!r})")

    def screenshot(self, path: Path) -> Path:
        data = self.page("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._commands, self._answers):
            os.close(fd)
        shutil.rmtree(self.home, ignore_errors=True)
