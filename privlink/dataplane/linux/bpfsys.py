"""The few bpf(2) calls privlink makes itself: opening pinned objects, map elements.

Loading a program is bpftool's job (proxy_header.py); what changes per apply is a map's
elements, hence calls here rather than a process per element. Python has no binding for
bpf(2); ctypes and the uapi's attribute layouts (linux/bpf.h) are enough for these.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
from collections.abc import Iterator

_NR_BPF = {"x86_64": 321, "aarch64": 280}.get(platform.machine(), 321)
_MAP_LOOKUP_ELEM, _MAP_UPDATE_ELEM, _MAP_DELETE_ELEM, _MAP_GET_NEXT_KEY = 1, 2, 3, 4
_OBJ_GET = 7
_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _ObjAttr(ctypes.Structure):
    _fields_ = [
        ("pathname", ctypes.c_uint64),
        ("bpf_fd", ctypes.c_uint32),
        ("file_flags", ctypes.c_uint32),
    ]


class _ElemAttr(ctypes.Structure):
    _fields_ = [
        ("map_fd", ctypes.c_uint32),
        ("pad", ctypes.c_uint32),
        ("key", ctypes.c_uint64),
        ("value", ctypes.c_uint64),  # or next_key
        ("flags", ctypes.c_uint64),
    ]


def _call(cmd: int, attr: ctypes.Structure, what: str) -> int:
    result = int(_libc.syscall(_NR_BPF, cmd, ctypes.byref(attr), ctypes.sizeof(attr)))
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"bpf {what}: {os.strerror(err)}")
    return result


def obj_get(path: str) -> int:
    """A new descriptor for the program or map pinned at `path` (the caller closes it)."""
    name = ctypes.create_string_buffer(os.fsencode(path))
    attr = _ObjAttr(pathname=ctypes.addressof(name))
    return _call(_OBJ_GET, attr, f"open {path}")


def _elem(fd: int, key: bytes, value: ctypes.Array[ctypes.c_char] | None) -> _ElemAttr:
    keybuf = ctypes.create_string_buffer(key, len(key))
    attr = _ElemAttr(map_fd=fd, key=ctypes.addressof(keybuf))
    attr._keep = (keybuf, value)  # type: ignore[attr-defined]  # alive until the call
    if value is not None:
        attr.value = ctypes.addressof(value)
    return attr


def update(fd: int, key: bytes, value: bytes) -> None:
    buf = ctypes.create_string_buffer(value, len(value))
    _call(_MAP_UPDATE_ELEM, _elem(fd, key, buf), "map update")


def lookup(fd: int, key: bytes, size: int) -> bytes | None:
    buf = ctypes.create_string_buffer(size)
    return buf.raw if _found(_MAP_LOOKUP_ELEM, _elem(fd, key, buf), "map lookup") else None


def delete(fd: int, key: bytes) -> bool:
    """False when the key was not there."""
    return _found(_MAP_DELETE_ELEM, _elem(fd, key, None), "map delete")


def _found(cmd: int, attr: _ElemAttr, what: str) -> bool:
    """The call made; False when its key (or, for keys, a next one) is not there."""
    try:
        _call(cmd, attr, what)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            return False
        raise
    return True


def keys(fd: int, size: int) -> Iterator[bytes]:
    """Every key of a map (`size` bytes each); elements deleted meanwhile may end it early."""
    current: bytes | None = None
    while True:
        nxt = ctypes.create_string_buffer(size)
        attr = _elem(fd, current or b"", nxt)
        if current is None:
            attr.key = 0
        if not _found(_MAP_GET_NEXT_KEY, attr, "map keys"):
            return
        current = nxt.raw
        yield current
