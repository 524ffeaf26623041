"""PROXY protocol v2 headers, with the AWS VPC-endpoint TLV (type 0xEA, subtype 0x01).

Byte layout per the HAProxy spec and the NLB documentation (endpoint-services.md §11.2).
Both directions live here so the kernel path's header template (linux/proxy_header.py),
the health checks' LOCAL headers and the tests share one definition.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass, field

SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"
PP2_TYPE_AWS = 0xEA
PP2_SUBTYPE_AWS_VPCE_ID = 0x01
_CMD_LOCAL = 0x20
_CMD_PROXY = 0x21
_FAM_TCP4 = 0x11
_FAM_UDP4 = 0x12
_HEADER = struct.Struct("!12sBBH")


def aws_tlv(vpce_id: str) -> bytes:
    """The 0xEA TLV naming the VPC endpoint (computed once per endpoint by the proxy)."""
    value = bytes([PP2_SUBTYPE_AWS_VPCE_ID]) + vpce_id.encode("ascii")
    return struct.pack("!BH", PP2_TYPE_AWS, len(value)) + value


def encode(
    src: tuple[str, int],
    dst: tuple[str, int],
    *,
    vpce_id: str | None = None,
    udp: bool = False,
    tlvs: bytes = b"",
) -> bytes:
    """A PROXY (command) header for an IPv4 connection from `src` to `dst`.

    Runs once per proxied connection, hence inet_aton rather than ipaddress."""
    if vpce_id is not None:
        tlvs = aws_tlv(vpce_id) + tlvs
    family = _FAM_UDP4 if udp else _FAM_TCP4
    return (
        _HEADER.pack(SIGNATURE, _CMD_PROXY, family, 12 + len(tlvs))
        + socket.inet_aton(src[0])
        + socket.inet_aton(dst[0])
        + struct.pack("!HH", src[1], dst[1])
        + tlvs
    )


def encode_local() -> bytes:
    """A LOCAL header: what NLB health checks send to PROXY-v2 targets."""
    return _HEADER.pack(SIGNATURE, _CMD_LOCAL, 0x00, 0)


@dataclass(frozen=True)
class ProxyHeader:
    command: str  # "PROXY" | "LOCAL"
    src: tuple[str, int] | None
    dst: tuple[str, int] | None
    tlvs: dict[int, bytes] = field(default_factory=dict)
    length: int = 0  # bytes the header occupied

    @property
    def vpce_id(self) -> str | None:
        value = self.tlvs.get(PP2_TYPE_AWS)
        if value and value[0] == PP2_SUBTYPE_AWS_VPCE_ID:
            return value[1:].decode("ascii")
        return None


def decode(data: bytes) -> ProxyHeader | None:
    """Parse a header at the start of `data`; None if more bytes are needed.

    Raises ValueError when `data` does not start with a PROXY v2 header.
    """
    if len(data) < _HEADER.size:
        if not SIGNATURE.startswith(data[:12]):
            raise ValueError("not a PROXY v2 header")
        return None
    signature, ver_cmd, family, length = _HEADER.unpack_from(data)
    if signature != SIGNATURE or ver_cmd >> 4 != 2:
        raise ValueError("not a PROXY v2 header")
    total = _HEADER.size + length
    if len(data) < total:
        return None
    body = data[_HEADER.size : total]
    if ver_cmd == _CMD_LOCAL:
        return ProxyHeader("LOCAL", None, None, {}, total)
    if family not in (_FAM_TCP4, _FAM_UDP4):
        raise ValueError(f"unsupported address family {family:#x}")
    src_ip, dst_ip, src_port, dst_port = struct.unpack_from("!4s4sHH", body)
    tlvs: dict[int, bytes] = {}
    pos = 12
    while pos + 3 <= len(body):
        kind, size = struct.unpack_from("!BH", body, pos)
        tlvs[kind] = body[pos + 3 : pos + 3 + size]
        pos += 3 + size
    return ProxyHeader(
        "PROXY",
        (str(ipaddress.IPv4Address(src_ip)), src_port),
        (str(ipaddress.IPv4Address(dst_ip)), dst_port),
        tlvs,
        total,
    )
