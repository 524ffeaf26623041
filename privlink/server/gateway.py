"""The ASGI application: HTTP in, one service operation in one transaction, HTTP out.

Handlers are synchronous and run one at a time on a dedicated store thread,
which keeps the event loop free for background work (SNS delivery,
reconcilers) and makes every API call a serial transaction. A handler whose
answer needs slow I/O (InvokeRestApi calling Airflow) returns a `Deferred`:
the transaction commits, the store thread moves on to the next call, and the
deferred call runs on the I/O pool; its output or AwsError is answered as a
handler's would be.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape, StructureShape

from privlink import errors
from privlink.api import Context, Deferred, Registry
from privlink.errors import AwsError
from privlink.server import auth, encoding, models, s3http
from privlink.server.protocols import Request, Response, protocol_for
from privlink.server.protocols.restxml import REST_XML_PROTOCOL, FileResponse, SpooledRequest
from privlink.server.protocols.xmltext import header_text
from privlink.store import Store

log = logging.getLogger("privlink.gateway")

MAX_BODY = 10 * 1024 * 1024
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
InternalRoute = Callable[[Request], Awaitable[Response]]
IO_THREADS = 8  # deferred answers in flight at once (each waits on a runtime, not the CPU)


@dataclass(frozen=True)
class Pending:
    """What the store thread hands back for a `Deferred` answer: `finish` runs the
    deferred call and serializes its outcome (on the I/O pool)."""

    finish: Callable[[], Response]


class Gateway:
    def __init__(
        self,
        store: Store,
        registry: Registry,
        default_region: str = auth.DEFAULT_REGION,
        strict_keys: dict[str, str] | None = None,
        admin_key: str | None = None,
        internal: dict[tuple[str, str], InternalRoute] | None = None,
        spool_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.default_region = default_region  # for unsigned requests (privlink up --region)
        self.strict_keys = strict_keys or {}
        self.admin_key = admin_key
        self.internal = internal or {}
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="privlink-store")
        self.io = ThreadPoolExecutor(max_workers=IO_THREADS, thread_name_prefix="privlink-io")
        # S3 request bodies are spooled here (under the state dir); leftovers of a kill go.
        self.spool_dir = spool_dir
        if spool_dir is not None:
            s3http.sweep(spool_dir)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request_id = str(uuid.uuid4())
        headers = _headers(scope)
        if s3http.is_s3(headers, scope.get("query_string", b"").decode("latin-1")):
            await self._s3(scope, headers, receive, send, request_id)
            return
        request, too_large = await _read_request(scope, receive)
        route = self.internal.get((request.method, request.path))
        if route is not None:
            response = await self._internal(route, request)
        elif too_large:
            response = self._error_response(
                request,
                errors.RequestEntityTooLarge(
                    f"Request body exceeds the maximum of {MAX_BODY} bytes"
                ),
                request_id,
            )
        else:
            response = await self._dispatch(request, request_id)
        await _send(send, response)

    async def _dispatch(self, request: Request, request_id: str, service: str = "") -> Response:
        """dispatch on the store thread; a deferred answer then finishes on the I/O pool."""
        loop = asyncio.get_running_loop()
        answer = await loop.run_in_executor(
            self.executor, self.dispatch, request, request_id, service
        )
        if isinstance(answer, Pending):
            return await loop.run_in_executor(self.io, answer.finish)
        return answer

    # --- S3: addressed by host or path, bodies streamed through files ---------------
    async def _s3(
        self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send, rid: str
    ) -> None:
        """Spool a streaming payload to disk before dispatch; stream file bodies back."""
        request = s3http.request_of(scope, headers)
        spooler: s3http.Spooler | None = None
        try:
            operation = REST_XML_PROTOCOL.find_operation(models.service_model("s3"), request)
            if operation is not None and operation.has_streaming_input and self.spool_dir:
                spooler = s3http.Spooler(self.spool_dir, headers)
                await _spool(receive, spooler)
                request = SpooledRequest(**vars(request), spooled=spooler.finish())
            else:
                read, too_large = await _read_request(scope, receive)
                if too_large:
                    raise errors.RequestEntityTooLarge(f"Request body exceeds {MAX_BODY} bytes")
                request.body = read.body
            response = await self._dispatch(request, rid, "s3")
        except AwsError as error:
            service = models.service_model("s3")
            response = REST_XML_PROTOCOL.serialize_error(service, error, rid)
        finally:
            if spooler is not None:
                spooler.discard()  # a no-op once the operation moved the file into place
        await _send_s3(send, response, head=request.method == "HEAD")

    async def _internal(self, route: InternalRoute, request: Request) -> Response:
        """privlink's own routes. Open unless strict; in strict mode only health is, and
        the rest (status, reset, faults, SNS inboxes) need a valid signature by the admin
        key: they see or change every account."""
        if self.strict_keys and request.path != "/_privlink/health":
            try:
                signed = auth.verify(request, self.strict_keys, "json")
            except AwsError as error:
                return json_response({"error": error.code, "message": error.message}, error.status)
            if signed.access_key != self.admin_key:
                message = "privlink's own routes need the admin key (privlink up --admin-key)"
                return json_response({"error": "AccessDenied", "message": message}, 403)
        return await route(request)

    # --- dispatch (store thread) ---------------------------------------------------
    def dispatch(
        self, request: Request, request_id: str, service_name: str = ""
    ) -> Response | Pending:
        caller = auth.identify(request, self.default_region)
        service: ServiceModel | None = None
        try:
            # S3 is known from the host too (unsigned virtual-host requests): _s3 says so.
            service = models.service_model(service_name) if service_name else None
            service = service or _pick_service(request, caller)
            if self.strict_keys:
                spooled = getattr(request, "spooled", None)  # an S3 body already on disk
                body_sha256 = spooled.payload_sha256 if spooled is not None else None
                auth.verify(request, self.strict_keys, service.protocol, body_sha256)
            protocol = protocol_for(service)
            operation = protocol.find_operation(service, request)
            assert operation is not None
            if operation.request_compression:  # gzip bodies botocore sent (signed as sent)
                request = encoding.decoded(request, MAX_BODY)
            params = protocol.parse(operation, request)
            _check_required(operation, params)
            handler = self.registry.handler_for(service.service_name, operation.name)
            if handler is None:
                raise errors.NotImplementedOperation(
                    f"privlink does not implement {service.service_name} {operation.name} yet."
                )
            if params.get("DryRun"):
                raise errors.DryRunOperation(
                    "Request would have succeeded, but DryRun flag is set."
                )
            output, hooks = self._run(handler, caller, params, request_id)
            for hook in hooks:
                hook()
            if isinstance(output, Deferred):
                answer = partial(protocol.serialize, operation, request_id=request_id)
                return Pending(partial(self._finish, output, answer, request, request_id, service))
            return protocol.serialize(operation, output, request_id)
        except Exception as exc:
            return self._failure(exc, request, request_id, service)

    def _finish(
        self,
        deferred: Deferred,
        answer: Callable[[dict[str, Any]], Response],
        request: Request,
        request_id: str,
        service: ServiceModel | None,
    ) -> Response:
        """A deferred answer, on the I/O pool: its output, or its error, serialized."""
        try:
            return answer(deferred.call())
        except Exception as exc:
            return self._failure(exc, request, request_id, service)

    def _failure(
        self, exc: Exception, request: Request, request_id: str, service: ServiceModel | None
    ) -> Response:
        """An AwsError as the caller's protocol says it; a bug as InternalError (500),
        never a stack trace."""
        if not isinstance(exc, AwsError):
            log.error("internal error handling %s %s", request.method, request.path,
                      exc_info=exc)  # fmt: skip
            exc = errors.InternalError("An internal error has occurred.")
        return self._error_response(request, exc, request_id, service)

    def _run(
        self, handler: Any, caller: auth.Caller, params: dict[str, Any], request_id: str
    ) -> tuple[dict[str, Any] | Deferred, list[Callable[[], Any]]]:
        with self.store.unit() as uow:
            ctx = Context(caller.account, caller.region, uow, request_id=request_id)
            output = handler(ctx, params) or {}
        return output, ctx.after_commit

    def _error_response(
        self,
        request: Request,
        error: AwsError,
        request_id: str,
        service: ServiceModel | None = None,
    ) -> Response:
        if service is None:
            try:
                service = _pick_service(request, auth.identify(request, self.default_region))
            except Exception:  # unroutable: answer in EC2's format, the most common caller
                service = models.service_model("ec2")
        return protocol_for(service).serialize_error(service, error, request_id)


def _pick_service(request: Request, caller: auth.Caller) -> ServiceModel:
    target = request.headers.get("x-amz-target")
    if target:
        name = models.by_target_prefix().get(target.rpartition(".")[0])
        if name:
            return models.service_model(name)
    candidates = models.by_signing_name().get(caller.service or "", [])
    if len(candidates) == 1:
        return models.service_model(candidates[0])
    form = request.form(strict=False) if request.method == "POST" or request.query_string else {}
    version = form.get("Version")
    if version:
        names = [
            n for n in models.by_api_version().get(version, []) if not candidates or n in candidates
        ]
        if names:
            return models.service_model(names[0])
    if candidates:
        return models.service_model(candidates[0])
    if "Action" in form:
        raise errors.InvalidAction(f"Could not determine the service for action {form['Action']}")
    raise errors.UnknownOperationException("Could not determine the AWS service of this request.")


def _check_required(operation: OperationModel, params: dict[str, Any]) -> None:
    if operation.input_shape is None:
        return
    missing = _missing(operation.input_shape, params, "")
    if not missing:
        return
    protocol = operation.service_model.protocol
    if operation.service_model.service_name == "sns":  # SNS words it its own way
        raise errors.InvalidParameter(
            f"Invalid parameter: {missing} Reason: no value for required parameter"
        )
    if protocol == "ec2":
        raise errors.MissingParameter(f"The request must contain the parameter {missing}")
    if protocol == "query":
        raise errors.ValidationError(
            f"1 validation error detected: Value null at '{missing}' failed to satisfy "
            "constraint: Member must not be null"
        )
    raise errors.ValidationException(
        f"1 validation error detected: Value null at '{missing}' failed to satisfy constraint: "
        "Member must not be null"
    )


def _missing(shape: Shape, value: Any, where: str) -> str | None:
    if not isinstance(shape, StructureShape) or not isinstance(value, dict):
        return None
    for name in shape.required_members:
        if value.get(name) is None:
            return f"{where}{name}"
    for name, member in shape.members.items():
        child = value.get(name)
        if isinstance(child, dict):
            found = _missing(member, child, f"{where}{name}.")
            if found:
                return found
        elif isinstance(child, list):
            for item in child:
                found = (
                    _missing(member.member, item, f"{where}{name}.")
                    if hasattr(member, "member")
                    else None
                )
                if found:
                    return found
    return None


async def _read_request(scope: Scope, receive: Receive) -> tuple[Request, bool]:
    chunks: list[bytes] = []
    size = 0
    too_large = False
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body = message.get("body", b"")
        size += len(body)
        if size > MAX_BODY:
            too_large = True
        elif body:
            chunks.append(body)
        if not message.get("more_body"):
            break
    headers = _headers(scope)
    request = Request(
        method=scope["method"],
        path=scope["path"],
        query_string=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=b"" if too_large else b"".join(chunks),
    )
    return request, too_large


async def _send(send: Send, response: Response) -> None:
    headers = [(k.encode(), header_text(v).encode()) for k, v in response.headers.items()]
    headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


def json_response(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data).encode(), {"content-type": "application/json"})


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _spool(receive: Receive, spooler: s3http.Spooler) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise errors.IncompleteBody()
        spooler.feed(message.get("body", b""))
        if not message.get("more_body"):
            return


async def _send_s3(send: Send, response: Response, head: bool) -> None:
    """S3 answers: HEAD keeps the object's Content-Length; file bodies go in chunks."""
    headers = dict(response.headers)
    if isinstance(response, FileResponse):
        headers["content-length"] = str(response.length)
    elif not head or "content-length" not in headers:
        headers["content-length"] = "0" if head else str(len(response.body))
    encoded = [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": response.status, "headers": encoded})
    if head or not isinstance(response, FileResponse) or response.file is None:
        await send({"type": "http.response.body", "body": b"" if head else response.body})
        return
    with response.file as file:
        left = response.length
        while left > 0:
            chunk = file.read(min(s3http.CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
    if left > 0:
        await send({"type": "http.response.body", "body": b""})
