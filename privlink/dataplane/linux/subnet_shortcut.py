"""The subnet shortcut (subnet_shortcut.bpf.c): frames between two hosts of a subnet go
from one's bridge port straight into the other's namespace, past the VPC router's bridge.

- Built, loaded and pinned as bpfobj.py says (plk-subnet-shortcut-<digest>); attached to
  the ingress of every port the KernelSpec lists (NamespaceSpec.shortcuts: ports whose
  far end's MAC is known, names.instance_mac, eni_mac, nlb_node_mac).
- Its maps are keyed by the router namespace's cookie and the ports' and bridges'
  ifindexes, so they are written where those are known: when the driver converges a
  router's links. What this process wrote per namespace is remembered, so a change
  writes only the difference; the first write after a start compares with what the
  maps already hold for that namespace (read once); a router left without a pair of
  known hosts, and a namespace gone from the spec, have their entries deleted. Entries
  of a namespace deleted while privlink was down stay until teardown unpins the maps (a
  cookie is never reused, so they match nothing).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import struct
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from privlink.dataplane.linux import bpfobj, bpfsys
from privlink.dataplane.linux.links import Observed
from privlink.dataplane.linux.spec import PortSpec

SOURCE = Path(__file__).with_name("subnet_shortcut.bpf.c")
PIN_PREFIX = "plk-subnet-shortcut-"
SO_NETNS_COOKIE = 71  # <asm-generic/socket.h>
_PORT = struct.Struct("<QII")  # struct port_key: netns, ifindex, pad
_HOST = struct.Struct("<QI6s6x")  # struct host_key: netns, bridge, mac, pads
_IFINDEX = struct.Struct("<I")
_MAPS = (("ports", _PORT.size), ("hosts", _HOST.size))
log = logging.getLogger("privlink.dataplane")

Entries = dict[str, dict[bytes, bytes]]  # map name -> key -> value


def netns_cookie(sock: socket.socket) -> int:
    """The cookie of the namespace `sock` was made in (the program's key for it)."""
    return int.from_bytes(sock.getsockopt(socket.SOL_SOCKET, SO_NETNS_COOKIE, 8), "little")


def entries(cookie: int, ports: Sequence[PortSpec], links: Mapping[str, Observed]) -> Entries:
    """Both maps' entries for one router namespace: its ports as the spec says, with
    their and their bridges' ifindexes as observed (a port not there yet has none)."""
    wanted: Entries = {"ports": {}, "hosts": {}}
    for port in ports:
        link, bridge = links.get(port.link), links.get(port.bridge)
        if link is None or bridge is None:
            continue
        wanted["ports"][_PORT.pack(cookie, link.index, 0)] = _IFINDEX.pack(bridge.index)
        mac = bytes.fromhex(port.mac.replace(":", ""))
        wanted["hosts"][_HOST.pack(cookie, bridge.index, mac)] = _IFINDEX.pack(link.index)
    return wanted


class Shortcuts:
    """What the driver keeps between passes: the loaded program, the links it is
    attached to (by ifindex: a link made again is attached again), and the map entries
    written per namespace."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "bpf"
        self.pins: Path | None = None
        self.fds: dict[str, int] = {}  # "shortcut" and the maps' names -> descriptor
        self.attached: dict[tuple[str, str], int] = {}  # (netns, link) -> ifindex
        self.written: dict[str, Entries] = {}  # netns -> what this process wrote there
        self.found: dict[int, Entries] | None = None  # cookie -> entries, read at start
        self.broken = ""  # why the program could not be loaded ("": it could)

    def load(self) -> bool:
        """The program loaded if it is not; True when it is not the one the previous
        process attached (an upgrade: every link must be attached again). A program that
        cannot be built or loaded is logged once and left out: frames take the bridges,
        as they would without it (it only saves time)."""
        if self.pins is not None or self.broken:
            return False
        names = ("shortcut", *(name for name, _ in _MAPS))
        try:
            self.pins = bpfobj.load(SOURCE, PIN_PREFIX, names, self.dir)
            self.fds = {name: bpfsys.obj_get(str(self.pins / name)) for name in names}
        except (OSError, RuntimeError) as exc:
            self.broken = str(exc)
            log.warning("subnet shortcut left out: %s", exc)
            return False
        bpfobj.unpin(PIN_PREFIX, keep=self.pins)
        return bpfobj.upgraded(self.dir / "shortcut-attached", self.pins.name)

    def apply(
        self, ns: str, ipr: Any, sock: socket.socket, ports: Sequence[PortSpec],
        links: Mapping[str, Observed],
    ) -> list[str]:  # fmt: skip
        """One router namespace's ports: the program on each, the maps' entries as
        `ports` and the observed `links` say (`ipr` and `sock` are made there); with no
        ports, what it held is deleted (its ifindexes may come back on other links)."""
        if not ports and self.pins is None:
            return []  # no program loaded: this process wrote nothing anywhere
        self.load()
        if self.pins is None:
            return []
        changes = []
        for port in ports:
            link = links.get(port.link)
            if link is not None and self.attached.get((ns, port.link)) != link.index:
                hook = (bpfobj.INGRESS, self.fds["shortcut"], "shortcut")
                bpfobj.attach(ipr, link.index, (hook,))
                self.attached[(ns, port.link)] = link.index
                changes.append(f"{ns}: {port.link} subnet shortcut")
        cookie = netns_cookie(sock)
        before = self.written.get(ns) or self._found().pop(cookie, {})
        self.written[ns] = wanted = entries(cookie, ports, links)
        return changes + self._write(before, wanted, ns)

    def forget(self, spaces: set[str]) -> list[str]:
        """Entries and attachments of namespaces no longer in the spec removed."""
        self.attached = {k: v for k, v in self.attached.items() if k[0] in spaces}
        if self.pins is None:
            return []
        changes = []
        for ns in [ns for ns in self.written if ns not in spaces]:
            changes += self._write(self.written.pop(ns), {}, ns)
        return changes

    def _found(self) -> dict[int, Entries]:
        """What the maps held when this process first wrote to them, by namespace cookie."""
        if self.found is None:
            self.found = {}
            for name, size in _MAPS:
                for key in bpfsys.keys(self.fds[name], size):
                    value = bpfsys.lookup(self.fds[name], key, _IFINDEX.size)
                    cookie = int.from_bytes(key[:8], "little")
                    per_map = self.found.setdefault(cookie, {"ports": {}, "hosts": {}})
                    per_map[name][key] = value or b""
        return self.found

    def _write(self, before: Entries, wanted: Entries, ns: str) -> list[str]:
        changes = []
        for name, _ in _MAPS:
            old, new = before.get(name, {}), wanted.get(name, {})
            for key in old.keys() - new.keys():
                if bpfsys.delete(self.fds[name], key):
                    changes.append(f"{ns}: subnet shortcut {name} {key.hex()} removed")
            for key, value in new.items():
                if old.get(key) != value:
                    bpfsys.update(self.fds[name], key, value)
                    changes.append(f"{ns}: subnet shortcut {name} {key.hex()} set")
        return changes

    def close(self, everything: bool = False) -> None:
        """Descriptors closed; with `everything` (teardown) the pins removed too."""
        for fd in self.fds.values():
            with contextlib.suppress(OSError):
                os.close(fd)
        self.pins, self.fds, self.found = None, {}, None
        self.attached.clear()
        self.written.clear()
        if everything:
            bpfobj.unpin(PIN_PREFIX)
            (self.dir / "shortcut-attached").unlink(missing_ok=True)
