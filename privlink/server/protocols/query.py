"""The ec2 and query protocols: form-encoded requests, XML responses.

They differ only in naming: ec2 capitalizes locationName (or uses
queryName) and flattens lists as Name.N; query uses Name.member.N and maps
as Name.entry.N.key. Responses: ec2 lists are <item>s under the member's
locationName with a bare requestId; query wraps the result in
<OperationResult> and <ResponseMetadata>.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from privlink import errors
from privlink.errors import AwsError
from privlink.server.protocols.base import Request, Response
from privlink.server.protocols.scalars import parse_scalar, text_of
from privlink.server.protocols.xmltext import xml_text

Tree = dict[str, Any]


def _tree(params: dict[str, str]) -> Tree:
    """Nest "A.1.B" style keys: {"A": {"1": {"B": value}}}."""
    root: Tree = {}
    for key, value in params.items():
        node = root
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = {} if child is None else {"": child}
                node[part] = child
            node = child
        last = parts[-1]
        if isinstance(node.get(last), dict):
            node[last][""] = value
        else:
            node[last] = value
    return root


def _headers(content_type: str, request_id: str) -> dict[str, str]:
    """The request id travels in the body and in x-amzn-RequestId: some SDKs (JavaScript
    v3) read it only from the header."""
    return {"content-type": content_type, "x-amzn-requestid": request_id}


class _FormProtocol:
    name: str
    ec2: bool

    # --- routing -----------------------------------------------------------
    def find_operation(self, service: ServiceModel, request: Request) -> OperationModel | None:
        action = request.form().get("Action")
        if not action:
            raise errors.MissingParameter("The request must contain the parameter Action")
        if action not in service.operation_names:
            raise errors.InvalidAction(f"The action {action} is not valid for this web service.")
        return service.operation_model(action)

    # --- parsing -----------------------------------------------------------
    def parse(self, operation: OperationModel, request: Request) -> dict[str, Any]:
        shape = operation.input_shape
        if shape is None:
            return {}
        tree = _tree(request.form())
        return self._parse_structure(tree, shape, "")

    def _key(self, name: str, shape: Shape) -> str:
        ser = shape.serialization
        if self.ec2:
            if "queryName" in ser:
                return str(ser["queryName"])
            if "name" in ser:
                location = str(ser["name"])
                return location[0].upper() + location[1:]
            return name
        return str(ser.get("name", name))

    def _parse_structure(self, tree: Tree, shape: StructureShape, where: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            key = self._key(name, member)
            if key not in tree:
                continue
            out[name] = self._parse(tree[key], member, f"{where}{key}")
        return out

    def _parse(self, node: Any, shape: Shape, where: str) -> Any:
        if isinstance(shape, StructureShape):
            if not isinstance(node, dict):
                raise errors.InvalidParameterValue(f"Parameter {where} must be a structure")
            return self._parse_structure(node, shape, where + ".")
        if isinstance(shape, ListShape):
            return self._parse_list(node, shape, where)
        if isinstance(shape, MapShape):
            return self._parse_map(node, shape, where)
        if isinstance(node, dict):
            node = node.get("", "")
        return parse_scalar(node, shape, where)

    def _indexed(self, node: Any, where: str) -> list[tuple[int, Any]]:
        if not isinstance(node, dict):
            if node == "":
                return []
            raise errors.InvalidParameterValue(f"Parameter {where} must be a list")
        items: list[tuple[int, Any]] = []
        for index, value in node.items():
            if index == "":
                continue
            # ASCII only: "²" and "١" pass str.isdigit(), and int() refuses or misreads them.
            if not (index.isascii() and index.isdigit()):
                raise errors.InvalidParameterValue(f"Invalid list index {where}.{index}")
            items.append((int(index), value))
        return sorted(items, key=lambda item: item[0])

    def _parse_list(self, node: Any, shape: ListShape, where: str) -> list[Any]:
        if not self.ec2 and not shape.serialization.get("flattened"):
            member_name = shape.member.serialization.get("name", "member")
            node = node.get(member_name, node) if isinstance(node, dict) else node
        return [
            self._parse(value, shape.member, f"{where}.{index}")
            for index, value in self._indexed(node, where)
        ]

    def _parse_map(self, node: Any, shape: MapShape, where: str) -> dict[str, Any]:
        if not shape.serialization.get("flattened") and isinstance(node, dict):
            node = node.get("entry", node)
        key_name = shape.key.serialization.get("name", "key")
        value_name = shape.value.serialization.get("name", "value")
        out: dict[str, Any] = {}
        for index, entry in self._indexed(node, where):
            if not isinstance(entry, dict) or key_name not in entry:
                raise errors.InvalidParameterValue(f"Map entry {where}.{index} has no key")
            key = parse_scalar(entry[key_name], shape.key, f"{where}.{index}.{key_name}")
            out[key] = self._parse(entry.get(value_name, ""), shape.value, f"{where}.{index}")
        return out

    # --- serializing --------------------------------------------------------
    def _xml_members(self, out: list[str], data: dict[str, Any], shape: StructureShape) -> None:
        for name, member in shape.members.items():
            value = data.get(name)
            if value is None:
                continue
            tag = member.serialization.get("name", name)
            self._xml(out, tag, value, member)

    def _xml(self, out: list[str], tag: str, value: Any, shape: Shape) -> None:
        if isinstance(shape, StructureShape):
            out.append(f"<{tag}>")
            self._xml_members(out, value, shape)
            out.append(f"</{tag}>")
        elif isinstance(shape, ListShape):
            item_tag = shape.member.serialization.get("name", "item" if self.ec2 else "member")
            if shape.serialization.get("flattened"):
                for item in value:
                    self._xml(out, item_tag if item_tag != "member" else tag, item, shape.member)
                return
            out.append(f"<{tag}>")
            for item in value:
                self._xml(out, item_tag, item, shape.member)
            out.append(f"</{tag}>")
        elif isinstance(shape, MapShape):
            key_tag = shape.key.serialization.get("name", "key")
            value_tag = shape.value.serialization.get("name", "value")
            out.append(f"<{tag}>")
            for key, item in value.items():
                out.append(f"<entry><{key_tag}>{xml_text(str(key))}</{key_tag}>")
                self._xml(out, value_tag, item, shape.value)
                out.append("</entry>")
            out.append(f"</{tag}>")
        else:
            out.append(f"<{tag}>{xml_text(text_of(value, shape))}</{tag}>")


class EC2Protocol(_FormProtocol):
    name = "ec2"
    ec2 = True
    namespace = "http://ec2.amazonaws.com/doc/2016-11-15/"

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> Response:
        op = operation.name
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{op}Response xmlns="{self.namespace}">']
        out.append(f"<requestId>{request_id}</requestId>")
        if operation.output_shape is not None:
            self._xml_members(out, output, operation.output_shape)
        out.append(f"</{op}Response>")
        return Response(200, "".join(out).encode(), _headers("text/xml;charset=UTF-8", request_id))

    def serialize_error(self, service: ServiceModel, error: AwsError, request_id: str) -> Response:
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
            f"<Code>{xml_text(error.code)}</Code><Message>{xml_text(error.message)}</Message>"
            f"</Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return Response(error.status, body.encode(), _headers("text/xml;charset=UTF-8", request_id))


class QueryProtocol(_FormProtocol):
    name = "query"
    ec2 = False

    def serialize(
        self, operation: OperationModel, output: dict[str, Any], request_id: str
    ) -> Response:
        op = operation.name
        namespace = operation.service_model.metadata.get("xmlNamespace", "")
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<{op}Response xmlns="{namespace}">']
        shape = operation.output_shape
        if shape is not None:
            wrapper = shape.serialization.get("resultWrapper", f"{op}Result")
            out.append(f"<{wrapper}>")
            self._xml_members(out, output, shape)
            out.append(f"</{wrapper}>")
        out.append(
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{op}Response>"
        )
        return Response(200, "".join(out).encode(), _headers("text/xml", request_id))

    def serialize_error(self, service: ServiceModel, error: AwsError, request_id: str) -> Response:
        namespace = service.metadata.get("xmlNamespace", "")
        kind = "Sender" if error.sender_fault else "Receiver"
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="{namespace}"><Error>'
            f"<Type>{kind}</Type><Code>{xml_text(error.code)}</Code>"
            f"<Message>{xml_text(error.message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return Response(error.status, body.encode(), _headers("text/xml", request_id))


EC2_PROTOCOL = EC2Protocol()
QUERY_PROTOCOL = QueryProtocol()
