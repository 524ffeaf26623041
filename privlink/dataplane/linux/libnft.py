"""nftables scripts run, and listings read (`nft -j list ...`), in-process through
libnftables, inside a namespace.

`nft -f -` per namespace costs a fork and exec of `nft` (plus `nsenter`): 4-9 ms each,
which an apply at 2,000 endpoints pays thousands of times (rulesets, flow counting).
libnftables is the library the `nft` tool itself is a thin front for (same parser, same
atomic transaction per script, same error text), so calling it from the thread that
entered the namespace (netns.run_in) does the same work without a process. A context
is made per script on that thread: its netlink socket then belongs to the namespace, and
contexts are never shared between threads. ctypes releases the GIL during the call, so
several namespaces can be converged at once. Flow counting reads its tables the same way
each collection (observe.py), one thread hop per namespace instead of an `nft` process.
"""

from __future__ import annotations

import ctypes
import functools

from privlink.dataplane.linux.netns import run_in

_OUTPUT_JSON = 1 << 4  # NFT_CTX_OUTPUT_JSON


class NftError(RuntimeError):
    """nft refused a script; the message is its own ("Error: ...")."""


@functools.cache
def _lib() -> ctypes.CDLL:
    """Loaded on first use: the null data plane never needs it."""
    lib = ctypes.CDLL("libnftables.so.1", use_errno=True)
    lib.nft_ctx_new.restype = ctypes.c_void_p
    lib.nft_ctx_new.argtypes = [ctypes.c_uint32]
    lib.nft_ctx_free.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_buffer_output.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
    lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.nft_ctx_get_output_buffer.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_output_buffer.restype = ctypes.c_char_p
    lib.nft_ctx_output_set_flags.argtypes = [ctypes.c_void_p, ctypes.c_uint]
    return lib


def run_here(script: str) -> None:
    """Run `script` (nft -f syntax) in the calling thread's network namespace."""
    _run_here(script, json=False)


def read_here(command: str) -> str:
    """What a `list` command prints as JSON (`nft -j`), in the calling thread's namespace."""
    return _run_here(command, json=True)


def _run_here(script: str, json: bool) -> str:
    lib = _lib()
    ctx = lib.nft_ctx_new(0)  # NFT_CTX_DEFAULT
    if not ctx:
        raise NftError("libnftables: cannot make a context")
    try:
        if json:
            lib.nft_ctx_output_set_flags(ctx, _OUTPUT_JSON)
        lib.nft_ctx_buffer_output(ctx)  # nothing printed on privlink's stdout
        lib.nft_ctx_buffer_error(ctx)
        if lib.nft_run_cmd_from_buffer(ctx, script.encode()) != 0:
            error = (lib.nft_ctx_get_error_buffer(ctx) or b"").decode(errors="replace")
            raise NftError(error.strip() or "nft failed")
        return (lib.nft_ctx_get_output_buffer(ctx) or b"").decode(errors="replace")
    finally:
        lib.nft_ctx_free(ctx)


def run(netns: str, script: str) -> None:
    """Run `script` inside namespace `netns` (one of ours: never the host's)."""
    if not netns:
        raise ValueError("libnft.run needs a namespace")
    run_in(netns, lambda: run_here(script))


def read(netns: str, command: str) -> str:
    """`read_here` inside namespace `netns` (one of ours: never the host's)."""
    if not netns:
        raise ValueError("libnft.read needs a namespace")
    return run_in(netns, lambda: read_here(command))
