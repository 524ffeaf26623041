"""GetCallerIdentity: the account comes from the access key id (privlink.server.auth)."""

from __future__ import annotations

from typing import Any

from privlink.api import Context, handles


@handles("GetCallerIdentity")
def get_caller_identity(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return {
        "UserId": ctx.account,
        "Account": ctx.account,
        "Arn": f"arn:aws:iam::{ctx.account}:root",
    }
