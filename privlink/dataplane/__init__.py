"""The data plane: the only code that touches the kernel or spawns network daemons.

`plan` describes the desired state as pure data; `linux.LinuxDriver` realises it in network
namespaces; `null.NullDriver` accepts plans and does nothing (control-plane-only mode).
"""

from __future__ import annotations

from privlink.dataplane.base import ApplyReport, Dataplane, TargetHealth, TargetState
from privlink.dataplane.null import NullDriver


def make_driver(mode: str, state_dir: object) -> Dataplane:
    """The driver for `--dataplane linux|none`. Imports the Linux driver lazily (root only)."""
    if mode == "none":
        return NullDriver()
    if mode == "linux":
        from pathlib import Path

        from privlink.dataplane.linux import LinuxDriver

        return LinuxDriver(Path(str(state_dir)) / "dataplane")
    raise ValueError(f"unknown data plane {mode!r}")


__all__ = ["ApplyReport", "Dataplane", "NullDriver", "TargetHealth", "TargetState", "make_driver"]
