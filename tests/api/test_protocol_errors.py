"""Bad input over raw HTTP: always the EC2 XML error format, a 4xx, never a 500."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import httpx
import pytest

AUTH = (
    "AWS4-HMAC-SHA256 Credential=123456789012/20260101/us-east-1/ec2/aws4_request, "
    "SignedHeaders=host, Signature=00"
)
FORM = "application/x-www-form-urlencoded; charset=utf-8"


def post(server, body: bytes | str, auth: str | None = AUTH, content_type: str = FORM):
    headers = {"content-type": content_type}
    if auth:
        headers["authorization"] = auth
    return httpx.post(server.url + "/", content=body, headers=headers, timeout=60)


def ec2_error(response) -> tuple[str, str]:
    """(Code, Message) from the EC2 error document, checking its whole shape."""
    root = ET.fromstring(response.content)
    assert root.tag == "Response"
    error = root.find("./Errors/Error")
    assert error is not None
    code, message = error.findtext("Code"), error.findtext("Message")
    assert code and message is not None
    assert root.findtext("RequestID")
    assert response.headers["content-type"].startswith("text/xml")
    return code, message


def test_unknown_action(server):
    response = post(server, "Action=LaunchRockets&Version=2016-11-15")
    assert response.status_code == 400
    code, message = ec2_error(response)
    assert code == "InvalidAction"
    assert "LaunchRockets" in message


def test_missing_action(server):
    response = post(server, "Version=2016-11-15")
    assert response.status_code == 400
    assert ec2_error(response)[0] == "MissingParameter"


def test_missing_action_unsigned(server):
    response = post(server, "Version=2016-11-15", auth=None)
    assert 400 <= response.status_code < 500
    ec2_error(response)


def test_malformed_integer(server):
    response = post(server, "Action=DescribeVpcs&Version=2016-11-15&MaxResults=abc")
    assert response.status_code == 400
    code, message = ec2_error(response)
    assert code == "InvalidParameterValue"
    assert "abc" in message


def test_malformed_boolean(server):
    response = post(server, "Action=DescribeVpcs&Version=2016-11-15&DryRun=perhaps")
    assert response.status_code == 400
    assert ec2_error(response)[0] == "InvalidParameterValue"


def test_missing_required_parameter(server):
    response = post(server, "Action=CreateSubnet&Version=2016-11-15&CidrBlock=10.0.0.0/24")
    assert response.status_code == 400
    code, message = ec2_error(response)
    assert code == "MissingParameter"
    assert "VpcId" in message


def test_dry_run(server):
    response = post(server, "Action=DescribeVpcs&Version=2016-11-15&DryRun=true")
    assert response.status_code == 412
    assert ec2_error(response)[0] == "DryRunOperation"


def test_body_too_large(server):
    body = b"Action=DescribeVpcs&Version=2016-11-15&Pad=" + b"x" * (10 * 1024 * 1024 + 10)
    response = post(server, body)
    assert response.status_code == 413
    assert ec2_error(response)[0] == "RequestEntityTooLarge"


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xfe\x00garbage\x80",
        b"Action=DescribeVpcs&Version=2016-11-15&Filter.x.Name=vpc-id",
        b"Action=DescribeVpcs&Version=2016-11-15&Filter=plain",
        b"Action=DescribeVpcs&Version=2016-11-15&VpcId.1.Nested=oops",
        b"Action=CreateTags&Version=2016-11-15&ResourceId.1=vpc-1&Tag.1=flat",
        b"%%%%&&&===",
        b"Action=DescribeVpcs&Version=2016-11-15&MaxResults=99999999999999999999999",
        b"Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1&ImageId=ami-12345678"
        b"&UserData=%FF%FE",
    ],
)
def test_garbage_never_500(server, body):
    response = post(server, body)
    assert 400 <= response.status_code < 500, response.text
    ec2_error(response)


def test_garbage_with_odd_content_type(server):
    response = post(server, b"{not json", content_type="application/json")
    assert 400 <= response.status_code < 500, response.text
    ec2_error(response)


def test_get_with_query_string(server):
    response = httpx.get(
        server.url + "/?Action=DescribeVpcs&Version=2016-11-15&MaxResults=abc",
        headers={"authorization": AUTH},
    )
    assert response.status_code == 400
    assert ec2_error(response)[0] == "InvalidParameterValue"


def test_garbage_unsigned(server):
    response = post(server, b"\xff\xfe\x00garbage\x80", auth=None)
    assert 400 <= response.status_code < 500, response.text
    ec2_error(response)
