"""AWS Certificate Manager as privlink serves it.

Besides the store, ACM depends on one thing: the CA that signs the
certificates RequestCertificate issues, kept under the state dir. The
RequestCertificate handler takes that `Authority` as its first argument;
this factory binds it.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from privlink.api import Service
from privlink.api.handlers import collect
from privlink.services.acm import handlers, records
from privlink.services.acm.authority import Authority
from privlink.tls import LocalCA


def service(state_dir: Path) -> Service:
    found = collect([handlers])
    found["RequestCertificate"] = partial(
        handlers.request_certificate, Authority(LocalCA(state_dir / "tls"))
    )
    return Service("acm", found, (records.Certificate, records.AccountConfiguration))
