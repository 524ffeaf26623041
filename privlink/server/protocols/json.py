"""The json protocol: POST / with X-Amz-Target "Prefix.Operation", JSON in and out."""

from __future__ import annotations

import json
from typing import Any

from botocore.model import OperationModel, ServiceModel

from privlink import errors
from privlink.errors import AwsError
from privlink.server.protocols.base import Request, Response
from privlink.server.protocols.jsonshapes import from_json, to_json


class JsonProtocol:
    name = "json"

    def _content_type(self, service: ServiceModel) -> str:
        return f"application/x-amz-json-{service.metadata.get('jsonVersion', '1.0')}"

    def find_operation(self, service: ServiceModel, request: Request) -> OperationModel | None:
        target = request.headers.get("x-amz-target", "")
        prefix, _, name = target.rpartition(".")
        if prefix != service.metadata.get("targetPrefix") or name not in service.operation_names:
            raise errors.UnknownOperationException(f"Unknown operation {target}")
        return service.operation_model(name)

    def parse(self, operation: OperationModel, request: Request) -> dict[str, Any]:
        try:
            document = json.loads(request.body or b"{}")
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly nested
            raise errors.SerializationException("Request body is not valid JSON") from exc
        if operation.input_shape is None:
            return {}
        return from_json(document, operation.input_shape, "") or {}

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> Response:
        body = to_json(output, operation.output_shape) if operation.output_shape else {}
        headers = {
            "content-type": self._content_type(operation.service_model),
            "x-amzn-requestid": request_id,
        }
        return Response(200, json.dumps(body).encode(), headers)

    def serialize_error(self, service: ServiceModel, error: AwsError, request_id: str) -> Response:
        body = {"__type": error.code, "message": error.message}
        headers = {
            "content-type": self._content_type(service),
            "x-amzn-requestid": request_id,
            "x-amzn-errortype": error.code,
        }
        return Response(error.status, json.dumps(body).encode(), headers)


JSON_PROTOCOL = JsonProtocol()
