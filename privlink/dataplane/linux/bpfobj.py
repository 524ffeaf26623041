"""privlink's tc programs as objects: built from their C source with clang, loaded and
pinned with bpftool, attached with pyroute2, their maps written by difference (bpfsys).

Each program is pinned in bpffs under its prefix and its source's digest
(plk-<what>-<digest>): tc filters hold the programs and the programs their maps, so what
they do goes on while privlink is down or restarting, and a new digest (an upgrade) is
attached in place of the old, whose pins are then removed. Objects are built once per
digest into the driver's state directory.
"""

from __future__ import annotations

import errno
import hashlib
import subprocess
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pyroute2.netlink.exceptions import NetlinkError

from privlink.dataplane.linux import bpfsys
from privlink.dataplane.linux.files import read, write_if_changed

BPFFS = Path("/sys/fs/bpf")
INGRESS, EGRESS = "ffff:fff2", "ffff:fff3"  # clsact's hooks
_PRIO = 1


def digest(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()[:12]


def load(source: Path, prefix: str, wanted: Iterable[str], cache: Path) -> Path:
    """The pins directory of `source`'s programs and maps (`wanted`: their names), built
    and loaded unless already there."""
    _mount_bpffs()
    pins = BPFFS / f"{prefix}{digest(source)}"
    if not all((pins / name).exists() for name in wanted):
        obj = _build(source, cache)
        _unpin(pins)  # a load cut short leaves some
        pins.mkdir()
        _run(
            ["bpftool", "prog", "loadall", str(obj), str(pins), "type", "classifier"]
            + ["pinmaps", str(pins)]
        )
    return pins


def upgraded(mark: Path, digest_now: str) -> bool:
    """Whether the program this process loaded (`digest_now`) is not the one the previous
    process attached, as `mark` (a file in the state directory) says; `mark` is updated.
    An upgrade means every link must be attached again."""
    previous = read(mark)
    mark.parent.mkdir(parents=True, exist_ok=True)
    write_if_changed(mark, digest_now)
    return previous != digest_now


def unpin(prefix: str, keep: Path | None = None) -> list[str]:
    """Remove the pins under `prefix` but `keep` (all of them at teardown); a program
    still attached lives on until its links go."""
    if not BPFFS.is_dir():
        return []
    gone = []
    for path in sorted(BPFFS.glob(f"{prefix}*")):
        if path != keep:
            _unpin(path)
            gone.append(f"bpf: unpinned {path.name}")
    return gone


def _unpin(path: Path) -> None:
    if path.is_dir():
        for entry in path.iterdir():
            entry.unlink()
        path.rmdir()


def _mount_bpffs() -> None:
    """bpffs where every distribution puts it; a container may come without it."""
    with open("/proc/self/mounts", encoding="utf-8") as mounts:
        if any(line.split()[1:3] == [str(BPFFS), "bpf"] for line in mounts):
            return
    BPFFS.mkdir(parents=True, exist_ok=True)
    _run(["mount", "-t", "bpf", "bpf", str(BPFFS)])


def _build(source: Path, cache: Path) -> Path:
    """The object file, built with clang unless this digest's is cached."""
    obj = cache / f"{source.name.removesuffix('.bpf.c')}-{digest(source)}.o"
    if obj.exists():
        return obj
    cache.mkdir(parents=True, exist_ok=True)
    multiarch = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
    tmp = obj.with_suffix(".tmp")
    _run(
        ["clang", "-O2", "-g", "-target", "bpf", f"-I/usr/include/{multiarch}"]
        + ["-c", str(source), "-o", str(tmp)]
    )
    tmp.rename(obj)
    return obj


def _run(argv: list[str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed: {(done.stderr or done.stdout).strip()[-2000:]}")


def attach(ipr: Any, index: int, hooks: Iterable[tuple[str, int, str]]) -> None:
    """Programs on a link's clsact hooks ((parent, program fd, name) each), replacing what
    was there. `ipr` is an IPRoute made in the link's namespace, in this process
    (descriptors are passed by number)."""
    try:
        ipr.tc("add", "clsact", index)
    except NetlinkError as exc:
        if exc.code != errno.EEXIST:
            raise
    for parent, fd, name in hooks:
        ipr.tc(
            "replace-filter",
            "bpf",
            index,
            ":1",
            fd=fd,
            name=name,
            parent=parent,
            classid=1,
            direct_action=True,
            prio=_PRIO,
        )


def sync_map(fd: int, wanted: dict[bytes, bytes], what: str, key_size: int, size: int) -> list[str]:
    """A map made as wanted: stale keys deleted, missing or different ones set."""
    changes = []
    for k in list(bpfsys.keys(fd, key_size)):
        if k not in wanted and bpfsys.delete(fd, k):
            changes.append(f"bpf: {what} {k.hex()} removed")
    for k, value in wanted.items():
        if bpfsys.lookup(fd, k, size) != value:
            bpfsys.update(fd, k, value)
            changes.append(f"bpf: {what} {k.hex()} set")
    return changes
