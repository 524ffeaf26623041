"""The README's provider/consumer walkthrough (docs/walkthrough.sh) runs as written."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.harness import ROOT, VENV_BIN

SCRIPT = ROOT / "docs" / "walkthrough.sh"


def test_readme_includes_the_walkthrough() -> None:
    readme = (ROOT / "README.md").read_text()
    body = SCRIPT.read_text().strip()
    assert body in readme, "README.md must show docs/walkthrough.sh verbatim"


def test_walkthrough_runs(server) -> None:  # type: ignore[no-untyped-def]
    env = server.cli_env()
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        ["bash", str(SCRIPT)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=Path(ROOT),
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("com.amazonaws.vpce.us-east-1.vpce-svc-")
    assert lines[0].endswith("True")
    assert lines[1] == "pendingAcceptance"
    assert "pendingAcceptance" in lines[2]
    assert lines[3].endswith(" is available")
    names = lines[4].split()
    assert len(names) == 3 and all(n.endswith(".vpce.amazonaws.com") for n in names)
    assert lines[5:] == ["Connect", "Accept"]
