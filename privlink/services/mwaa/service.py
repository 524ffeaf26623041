"""Amazon MWAA as privlink serves it: the handlers get the state dir (where each
environment's runtime keeps its files, read by InvokeRestApi)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from privlink.api import Service
from privlink.api.handlers import collect
from privlink.services.mwaa import handlers, records


def service(state_dir: Path) -> Service:
    found = collect([handlers])
    found["InvokeRestApi"] = partial(handlers.invoke_rest_api, state_dir)
    return Service("mwaa", found, (records.Environment,))
