"""The driver's small state files: read one that may not exist, and write one only when
its content (or mode) changed, atomically, so a daemon that re-reads it on a signal never
sees half a file and an unchanged pass writes nothing."""

from __future__ import annotations

import os
from pathlib import Path


def read(path: Path) -> str | None:
    """The file's text, or None when there is no such file."""
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def write_if_changed(path: Path, content: str, mode: int | None = None) -> bool:
    """Write `content` (and `mode`, when given) unless the file already holds both: through
    a temporary file next to it and a rename. True when it wrote."""
    if read(path) == content and (mode is None or path.stat().st_mode & 0o777 == mode):
        return False
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content)
    if mode is not None:
        os.chmod(tmp, mode)
    tmp.replace(path)
    return True
