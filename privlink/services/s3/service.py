"""Amazon S3 as privlink serves it.

S3 is the one service with a dependency besides the store: the directory its
object bodies live in (under the state dir). Its handlers take that `Storage`
as their first argument; this factory binds it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, cast

from privlink.api import Context, Service
from privlink.api.handlers import collect
from privlink.services.s3 import queries, records
from privlink.services.s3.handlers import buckets, listings, objects, uploads
from privlink.services.s3.storage import Storage


def service(state_dir: Path) -> Service:
    storage = Storage(state_dir / "s3")

    def before(ctx: Context) -> None:
        storage.sweep_once(lambda: queries.referenced_blobs(ctx))

    handlers = collect([buckets, objects, listings, uploads])
    return Service(
        "s3",
        {op: partial(cast(Callable[..., Any], fn), storage) for op, fn in handlers.items()},
        (records.Bucket, records.ObjectKey, records.Upload),
        before,
    )
