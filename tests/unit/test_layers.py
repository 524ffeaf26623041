"""The layer contract (pyproject's [tool.importlinter]) holds, and has teeth.

scripts/test runs lint-imports before the suite; this test also proves that a
backwards import (a service importing the HTTP gateway, a controller calling a
service's handlers) breaks it, on a copy of the package.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).parent / "lint-imports"


def lint(workdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-logo", "--no-cache", "--config", str(workdir / "pyproject.toml")],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(workdir)},
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "privlink", tmp_path / "privlink", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_its_layers(copy: Path) -> None:
    result = lint(copy)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("privlink/services/ec2/network/vpcs.py", "import privlink.server.gateway"),
        ("privlink/api/scope.py", "import privlink.services.ec2.records"),
        ("privlink/store/unit.py", "import privlink.api"),
        ("privlink/server/gateway.py", "import privlink.reconcile.loop"),
    ],
)
def test_a_backwards_import_breaks_the_contract(copy: Path, module: str, line: str) -> None:
    path = copy / module
    path.write_text(path.read_text() + f"\n{line}  # backwards on purpose\n")
    result = lint(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
