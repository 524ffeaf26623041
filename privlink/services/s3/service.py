"""Amazon S3 as privlink serves it.

S3 is the one service with a dependency besides the store: the directory its
object bodies live in (under the state dir). Its handlers take that `Storage`
as their first argument; this factory binds it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from privlink.api import Service
from privlink.api.handlers import collect


def service(state_dir: Path) -> Service:
    handlers = collect([])
    return Service("s3", {op: partial(fn, state_dir) for op, fn in handlers.items()})
