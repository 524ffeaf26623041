"""PROXY v2 on the kernel path: proxy_header.bpf.c built, loaded, attached, and fed.

Flows to an NLB listener whose target group asks for PROXY v2 take the same DNAT/SNAT
path as any other; a tc program on each ENI's and node's link in the NLB's namespace puts
the header into the stream and moves sequence numbers past it (the C file says how). That keeps such
flows at the kernel's speed: a userspace proxy copied every byte twice more.

- Built, loaded and pinned as bpfobj.py says (plk-proxy-header-<digest>), so flows keep
  their headers and shifts while privlink is down or restarting.
- `links` maps each link's MAC to its scope (an ENI, or an NLB for all its node links;
  a 64-bit hash of the id), `listeners` each (scope, port) to the header with its
  addresses zeroed, which the program fills per flow. Their wanted content is a pure
  function of the KernelSpec (names.eni_mac and nlb_node_mac derive the links' MACs),
  applied by difference.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from privlink.dataplane import proxyproto
from privlink.dataplane.linux import bpfobj, bpfsys, memory
from privlink.dataplane.linux.spec import HeaderSpec

SOURCE = Path(__file__).with_name("proxy_header.bpf.c")
BPFFS = bpfobj.BPFFS
PIN_PREFIX = "plk-proxy-header-"
HDR_MAX = 64  # the C file's HDR_MAX
_LISTENER = struct.Struct("<I64s")  # struct listener: length, header
_LINK_KEY, _LISTENER_KEY = 8, 16  # sizeof struct link_key, struct listener_key
_SCOPE = struct.Struct("<Q")  # a link's scope, the links map's value
_NOOP_TLV = bytes([0x04, 0x00, 0x00])  # PP2_TYPE_NOOP, empty: makes a length even


@dataclass(frozen=True)
class Program:
    """The loaded program: its pins and open descriptors (for the driver's lifetime)."""

    pins: Path
    ingress: int
    egress: int
    links: int
    listeners: int

    @property
    def digest(self) -> str:
        return self.pins.name.removeprefix(PIN_PREFIX)


def digest() -> str:
    return bpfobj.digest(SOURCE)


def load(cache: Path) -> Program:
    """The program of this source, pinned: built and loaded unless already there."""
    pins = bpfobj.load(
        SOURCE, PIN_PREFIX, ("pp_in", "pp_out", "links", "listeners", "flows"), cache
    )
    return Program(
        pins,
        bpfsys.obj_get(str(pins / "pp_in")),
        bpfsys.obj_get(str(pins / "pp_out")),
        bpfsys.obj_get(str(pins / "links")),
        bpfsys.obj_get(str(pins / "listeners")),
    )


def close(program: Program) -> None:
    for fd in (program.ingress, program.egress, program.links, program.listeners):
        with contextlib.suppress(OSError):
            os.close(fd)


def unpin(keep: Program | None = None) -> list[str]:
    """Remove the pins of every program but `keep` (all of them at teardown)."""
    return bpfobj.unpin(PIN_PREFIX, keep.pins if keep else None)


# -- the links and listeners maps ---------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def template(vpce_id: str) -> bytes:
    """The header of a flow to this endpoint ("": to the NLB itself, no endpoint TLV),
    addresses and ports zero; even in length (a NOOP TLV when needed), so payload moved
    behind it keeps its checksum parity."""
    anywhere, endpoint = ("0.0.0.0", 0), vpce_id or None
    header = proxyproto.encode(anywhere, anywhere, vpce_id=endpoint)
    if len(header) % 2:
        header = proxyproto.encode(anywhere, anywhere, vpce_id=endpoint, tlvs=_NOOP_TLV)
    if len(header) > HDR_MAX:
        raise ValueError(f"PROXY v2 header of {vpce_id} is {len(header)} bytes")
    return header


def scope(owner: str) -> int:
    """A link's scope in the maps: 64 bits of a hash of the ENI's or the NLB's id."""
    return int.from_bytes(hashlib.sha256(owner.encode()).digest()[:8], "little")


def link_key(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", "")) + bytes(2)  # struct link_key


def listener_key(owner: str, port: int) -> bytes:
    return _SCOPE.pack(scope(owner)) + struct.pack("!H", port) + bytes(6)


@dataclass(frozen=True)
class Elements:
    """Both maps as wanted: key -> value bytes."""

    links: dict[bytes, bytes]
    listeners: dict[bytes, bytes]


def elements(headers: Iterable[HeaderSpec]) -> Elements:
    links, listeners = {}, {}
    for h in headers:
        header = template(h.vpce_id)
        links[link_key(h.mac)] = _SCOPE.pack(scope(h.scope))
        listeners[listener_key(h.scope, h.port)] = _LISTENER.pack(len(header), header)
    return Elements(links, listeners)


def sync(program: Program, wanted: Elements) -> list[str]:
    """Both maps made as wanted: stale keys deleted, missing or different ones set."""
    links = bpfobj.sync_map(program.links, wanted.links, "link", _LINK_KEY, _SCOPE.size)
    return links + bpfobj.sync_map(
        program.listeners, wanted.listeners, "listener", _LISTENER_KEY, _LISTENER.size
    )


# -- attaching ---------------------------------------------------------------------------------


def attach(ipr: Any, index: int, program: Program) -> None:
    """The program on a link's ingress and egress (clsact), replacing what was there."""
    hooks = ((bpfobj.INGRESS, program.ingress, "pp_in"), (bpfobj.EGRESS, program.egress, "pp_out"))
    bpfobj.attach(ipr, index, hooks)


class Headers:
    """What the driver keeps between passes: the loaded program, which links it is
    attached to (by ifindex: a link made again is attached again), and the digest of the
    listeners last written (an unchanged plan writes nothing)."""

    def __init__(self, state_dir: Path) -> None:
        self.dir = state_dir / "bpf"
        self.program: Program | None = None
        self.attached: dict[tuple[str, str], int] = {}  # (netns, link) -> ifindex
        self.synced: str | None = None

    def load(self) -> bool:
        """The program loaded if it is not; True when it is not the one the previous
        process attached (an upgrade: every link must be attached again)."""
        if self.program is not None:
            return False
        self.program = load(self.dir)
        unpin(keep=self.program)
        return bpfobj.upgraded(self.dir / "attached", self.program.digest)

    def attach(self, ns: str, ipr: Any, indexes: dict[str, int]) -> list[str]:
        """The program on each of `indexes`' links (name -> ifindex) not yet holding it."""
        if self.program is None:
            self.load()
        assert self.program is not None
        changes = []
        for link, index in indexes.items():
            if self.attached.get((ns, link)) != index:
                attach(ipr, index, self.program)
                self.attached[(ns, link)] = index
                changes.append(f"{ns}: {link} PROXY v2 headers")
        return changes

    def sync(self, headers: list[HeaderSpec], spaces: set[str]) -> list[str]:
        """The listeners map as `headers` say; links of namespaces gone are forgotten."""
        self.attached = {k: v for k, v in self.attached.items() if k[0] in spaces}
        if not headers and self.program is None:
            return []
        digest_now = memory.digest(sorted(headers, key=repr))  # before any building
        if digest_now == self.synced:
            return []
        self.load()
        assert self.program is not None
        changes = sync(self.program, elements(headers))
        self.synced = digest_now
        return changes

    def close(self, everything: bool = False) -> None:
        """Descriptors closed; with `everything` (teardown) the pins removed too."""
        if self.program is not None:
            close(self.program)
        self.program, self.synced = None, None
        self.attached.clear()
        if everything:
            unpin()
            (self.dir / "attached").unlink(missing_ok=True)
