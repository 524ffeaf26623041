"""A handler's Deferred answer runs after the commit, off the store thread: while one
call waits on slow I/O (as InvokeRestApi waits on Airflow), other calls are answered.

The gateway is driven as an ASGI application with real SigV4-less JSON requests; the
service is botocore's STS model with two test handlers.
"""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx

from privlink import errors
from privlink.api import Context, Deferred, Registry, Service
from privlink.server.gateway import Gateway
from privlink.store import Store

HEADERS = {
    "content-type": "application/x-www-form-urlencoded",
    "authorization": "AWS4-HMAC-SHA256 Credential=111111111111/20260101/us-east-1/sts/"
    "aws4_request, SignedHeaders=host, Signature=0",
}


def gateway(tmp_path: Path, release: threading.Event) -> Gateway:
    def slow(ctx: Context, params: dict[str, Any]) -> Deferred:
        account = ctx.account  # read in the transaction; the call itself must not touch it

        def call() -> dict[str, Any]:
            if not release.wait(10):
                raise errors.InternalError("never released")
            return {"Account": account, "UserId": "slow", "Arn": "arn:aws:iam::1:root"}

        return Deferred(call)

    def failing(ctx: Context, params: dict[str, Any]) -> Deferred:
        def call() -> dict[str, Any]:
            raise errors.ValidationError("deferred refusal")

        return Deferred(call)

    def quick(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
        release.set()  # answered while the slow call still waits: the store thread is free
        return {"Credentials": None}

    handlers = {"GetCallerIdentity": slow, "GetSessionToken": quick, "GetAccessKeyInfo": failing}
    store = Store(f"sqlite:///{tmp_path / 'state.db'}")
    return Gateway(store, Registry.of([Service("sts", handlers)]))


async def post(client: httpx.AsyncClient, action: str, extra: str = "") -> httpx.Response:
    body = f"Action={action}&Version=2011-06-15{extra}"
    return await client.post("http://sts.amazonaws.com/", content=body, headers=HEADERS)


def test_deferred_answer_leaves_the_store_thread_free(tmp_path: Path) -> None:
    release = threading.Event()
    app = gateway(tmp_path, release)

    async def scenario() -> tuple[httpx.Response, httpx.Response, httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport) as client:
            slow = asyncio.create_task(post(client, "GetCallerIdentity"))
            await asyncio.sleep(0.2)
            assert not slow.done()
            quick = await post(client, "GetSessionToken")
            failed = await post(client, "GetAccessKeyInfo", "&AccessKeyId=AKIAIOSFODNN7EXAMPLE")
            return await asyncio.wait_for(slow, 5), quick, failed

    slow, quick, failed = asyncio.run(scenario())
    assert quick.status_code == 200
    assert slow.status_code == 200 and b"<Account>111111111111</Account>" in slow.content
    assert failed.status_code == 400 and b"deferred refusal" in failed.content
