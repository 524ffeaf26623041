"""Link, address and route dumps over a raw rtnetlink socket, parsed for the few fields
links.py compares, and the one link change pyroute2 (0.7) cannot encode.

pyroute2 decodes every attribute of every message (about 0.4 ms a link), which made
observing a thousand namespaces take seconds on a restart; here a dump is one request and
a struct walk over the replies. Other changes go through pyroute2 (links.py).
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
from collections.abc import Iterator

HEADER = struct.Struct("=IHHII")  # nlmsghdr: length, type, flags, seq, port
ATTR = struct.Struct("=HH")  # rtattr: length, type
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
RTM_NEWLINK, RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE, RTM_GETRULE = 16, 18, 22, 26, 34
IFLA_ADDRESS, IFLA_IFNAME, IFLA_LINK, IFLA_MASTER = 1, 3, 5, 10
IFLA_LINKINFO, IFLA_INFO_KIND = 18, 1
IFLA_GSO_IPV4_MAX_SIZE, IFLA_GRO_IPV4_MAX_SIZE = 63, 64  # Linux 6.3 (BIG TCP for IPv4)
IFA_ADDRESS = 1
RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_TABLE = 1, 4, 5, 15
FRA_DST, FRA_SRC, FRA_GOTO, FRA_PRIORITY, FRA_FWMARK, FRA_TABLE, FRA_FWMASK = 1, 2, 4, 6, 10, 15, 16
FULL_MASK = 0xFFFFFFFF
NETLINK_ROUTE = 0
_seq = itertools.count(1)


def open_socket() -> socket.socket:
    """An rtnetlink socket in the calling thread's namespace (call it via netns.run_in)."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC, NETLINK_ROUTE)
    sock.bind((0, 0))
    return sock


def _dump(sock: socket.socket, kind: int, body: bytes) -> Iterator[bytes]:
    """The payloads of one dump's replies."""
    seq = next(_seq) & 0xFFFFFFFF
    sock.send(HEADER.pack(HEADER.size + len(body), kind, NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)
    while True:
        data = sock.recv(1 << 20)
        offset = 0
        while offset + HEADER.size <= len(data):
            length, mtype, _, mseq, _ = HEADER.unpack_from(data, offset)
            if length < HEADER.size:
                raise OSError("malformed netlink reply")
            payload = data[offset + HEADER.size : offset + length]
            offset += (length + 3) & ~3
            if mseq != seq:
                continue
            if mtype == NLMSG_DONE:
                return
            if mtype == NLMSG_ERROR:
                error = -struct.unpack_from("=i", payload)[0]
                if error:
                    raise OSError(error, f"netlink dump {kind}")
                continue
            yield payload


def _attrs(data: bytes, offset: int) -> dict[int, bytes]:
    found = {}
    while offset + ATTR.size <= len(data):
        length, kind = ATTR.unpack_from(data, offset)
        if length < ATTR.size:
            break
        found[kind & 0x3FFF] = data[offset + ATTR.size : offset + length]  # no NLA_F_ flags
        offset += (length + 3) & ~3
    return found


def _u32(value: bytes | None) -> int | None:
    return None if value is None else int(struct.unpack("=I", value[:4])[0])


def _mac(value: bytes | None) -> str | None:
    return None if value is None else value.hex(":")


def _text(value: bytes) -> str:
    return value.rstrip(b"\0").decode()


Link = tuple[str, int, str | None, int | None, int, int | None, int | None, str | None]


def links(sock: socket.socket) -> Iterator[Link]:
    """(name, index, kind, master index, flags, peer index, IPv4 GSO limit: None when the
    kernel has none, hardware address "aa:bb:..." or None) of every link."""
    for payload in _dump(sock, RTM_GETLINK, struct.pack("=BxHiII", 0, 0, 0, 0, 0)):
        _, _, index, flags, _ = struct.unpack_from("=BxHiII", payload)
        attrs = _attrs(payload, 16)
        info = attrs.get(IFLA_LINKINFO)
        kind = _attrs(info, 0).get(IFLA_INFO_KIND) if info else None
        yield (
            _text(attrs[IFLA_IFNAME]),
            index,
            _text(kind) if kind else None,
            _u32(attrs.get(IFLA_MASTER)),
            flags,
            _u32(attrs.get(IFLA_LINK)),
            _u32(attrs.get(IFLA_GSO_IPV4_MAX_SIZE)),
            _mac(attrs.get(IFLA_ADDRESS)),
        )


def addresses(sock: socket.socket) -> Iterator[tuple[int, str]]:
    """(link index, "address/prefix") of every IPv4 address."""
    for payload in _dump(sock, RTM_GETADDR, struct.pack("=BBBBI", socket.AF_INET, 0, 0, 0, 0)):
        _, prefixlen, _, _, index = struct.unpack_from("=BBBBI", payload)
        address = _attrs(payload, 8).get(IFA_ADDRESS)
        if address is not None:
            yield index, f"{socket.inet_ntoa(address)}/{prefixlen}"


def routes(sock: socket.socket) -> Iterator[tuple[str, str, int, int, int]]:
    """(destination/len, gateway or "", table, protocol, output link index or 0) of every
    IPv4 route, all tables."""
    body = struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
    for payload in _dump(sock, RTM_GETROUTE, body):
        _, dst_len, _, _, table, protocol, _, _, _ = struct.unpack_from("=BBBBBBBBI", payload)
        attrs = _attrs(payload, 12)
        dst = attrs.get(RTA_DST)
        gateway = attrs.get(RTA_GATEWAY)
        yield (
            f"{socket.inet_ntoa(dst) if dst else '0.0.0.0'}/{dst_len}",
            socket.inet_ntoa(gateway) if gateway else "",
            _u32(attrs.get(RTA_TABLE)) or table,
            protocol,
            _u32(attrs.get(RTA_OIF)) or 0,
        )


def rules(sock: socket.socket) -> Iterator[tuple[int, int, str, str, int, int, int]]:
    """(priority, table, source/len or "", destination/len or "", fwmark, fwmask (0: the
    whole mark), goto priority or 0) of every IPv4 policy rule. An NLB's namespace has
    one per endpoint ENI: thousands at scale."""
    body = struct.pack("=BBBBBBBBI", socket.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0)
    for payload in _dump(sock, RTM_GETRULE, body):
        _, dst_len, src_len, _, table, _, _, _, _ = struct.unpack_from("=BBBBBBBBI", payload)
        attrs = _attrs(payload, 12)
        src, dst = attrs.get(FRA_SRC), attrs.get(FRA_DST)
        mask = _u32(attrs.get(FRA_FWMASK)) or 0
        yield (
            _u32(attrs.get(FRA_PRIORITY)) or 0,
            _u32(attrs.get(FRA_TABLE)) or table,
            f"{socket.inet_ntoa(src)}/{src_len}" if src else "",
            f"{socket.inet_ntoa(dst)}/{dst_len}" if dst else "",
            _u32(attrs.get(FRA_FWMARK)) or 0,
            0 if mask == FULL_MASK else mask,
            _u32(attrs.get(FRA_GOTO)) or 0,
        )


def set_ipv4_segment_limits(sock: socket.socket, index: int, size: int) -> None:
    """The largest IPv4 packet link `index` builds (GSO) and aggregates (GRO). A kernel
    older than 6.3 ignores both attributes (not an error)."""
    attrs = b"".join(
        ATTR.pack(8, kind) + struct.pack("=I", size)
        for kind in (IFLA_GSO_IPV4_MAX_SIZE, IFLA_GRO_IPV4_MAX_SIZE)
    )
    body = struct.pack("=BxHiII", 0, 0, index, 0, 0) + attrs
    seq = next(_seq) & 0xFFFFFFFF
    header = HEADER.pack(HEADER.size + len(body), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, 0)
    sock.send(header + body)
    while True:
        data = sock.recv(65536)
        length, mtype, _, mseq, _ = HEADER.unpack_from(data, 0)
        if mseq != seq or mtype != NLMSG_ERROR:
            continue
        error = -struct.unpack_from("=i", data, HEADER.size)[0]
        if error:
            raise OSError(error, f"set IPv4 GSO/GRO limits of link {index}: {os.strerror(error)}")
        return
