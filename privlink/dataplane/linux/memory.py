"""What the driver knew after its last pass, kept in the state dir across restarts.

The driver skips looking at what it converged itself and has not asked to change since:
namespaces whose links are settled (settled.py), tables whose digest it applied (nft.py),
sysctls it set. That knowledge used to die with the process, so a restart on a network
nothing had touched looked at every namespace again (netlink dumps, table digests,
sysctls: 14 s at 3,000 namespaces). Now each pass ends by writing it here, keyed by each
namespace's inode, and a new driver adopts it: a namespace re-created since (another inode)
or wanted differently (another digest) is looked at as before, and the trickle of
re-verification (settled.VERIFY_BATCH per pass) still repairs what was changed by hand.

A pass that is cut short (a crash, SIGKILL) must not leave knowledge the kernel no longer
matches, so the file is moved aside when a pass starts and put back when it ends (written
again only if the pass learnt something): after a crash mid-pass the next start looks at
everything, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from privlink.dataplane.linux import files

FILE = "remembered.json"
VERSION = 1


def digest(value: object) -> str:
    """A stable digest of frozen spec data (tuples, strings, ints: repr is deterministic)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:20]


@dataclass
class Remembered:
    """Per namespace: (inode, digest) of its links' shape, of its table, of its sysctls."""

    links: dict[str, tuple[int, str]] = field(default_factory=dict)
    tables: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    sysctls: dict[str, tuple[int, str]] = field(default_factory=dict)


class Memory:
    """The file in a state dir, and what this process last wrote to (or read from) it."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / FILE
        self._aside = self.path.with_suffix(".pass")  # the file while a pass runs
        self._written: Remembered | None = None

    def load(self) -> Remembered:
        """What the previous process knew at the end of its last complete pass (nothing
        if it was cut short, or the file is from another version)."""
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            body = json.loads(self.path.read_text())
            if body.get("version") == VERSION:
                self._written = Remembered(
                    {k: (int(v[0]), str(v[1])) for k, v in body["links"].items()},
                    {k: (int(v[0]), v[1]) for k, v in body["tables"].items()},
                    {k: (int(v[0]), str(v[1])) for k, v in body["sysctls"].items()},
                )
                return self._written
        return Remembered()

    def begin(self) -> None:
        """A pass begins: what was written before may stop being true."""
        with contextlib.suppress(FileNotFoundError):
            self.path.replace(self._aside)

    def end(self, known: Remembered) -> None:
        """A pass ended: `known` is true. Unchanged, the file is only put back."""
        if known == self._written:
            with contextlib.suppress(FileNotFoundError):
                self._aside.replace(self.path)
                return
        tmp = self.path.with_suffix(".tmp")
        # not dataclasses.asdict: its deep copy cost ~70 ms at 1,500 namespaces
        body = {
            "version": VERSION,
            "links": known.links,
            "tables": known.tables,
            "sysctls": known.sysctls,
        }
        tmp.write_text(json.dumps(body, separators=(",", ":")))
        tmp.replace(self.path)
        self._aside.unlink(missing_ok=True)
        self._written = known

    def clear(self) -> None:
        for path in (self.path, self._aside):
            path.unlink(missing_ok=True)
        self._written = None


class Slots:
    """The ENI slots of the last render (KernelSpec.eni_slots), kept apart from what
    `Memory` holds: that file is moved aside during a pass and lost with a crash, while
    an ENI that took another slot after a crash would lose its open flows (its conntrack
    zone and mark are its slot). Written before the pass changes the kernel."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "eni-slots.json"
        self._last: dict[str, int] | None = None

    def load(self) -> dict[str, int]:
        if self._last is None:
            try:
                raw = json.loads(self.path.read_text())
                self._last = {str(k): int(v) for k, v in raw.items()}
            except (OSError, ValueError, AttributeError):
                self._last = {}
        return dict(self._last)

    def save(self, slots: dict[str, int]) -> None:
        if slots == self._last:
            return
        files.write_if_changed(self.path, json.dumps(slots, sort_keys=True))
        self._last = dict(slots)
