"""Round trips through botocore's own client serializer and response parser.

A request botocore serializes must parse back to the same parameters, and a
response privlink serializes must parse (with botocore's client parser) back
to the same output: the strongest check that the generic protocol layer
speaks each protocol the way real SDKs do.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any
from urllib.parse import urlencode, urlsplit

import botocore.session
import pytest
from botocore import parsers, serialize

from privlink import errors
from privlink.server.models import service_model
from privlink.server.protocols import Request, protocol_for, protocols
from privlink.server.protocols.strict import STRICT_OUTPUT_ENV, UnknownOutputKeys

_session = botocore.session.get_session()


def model(name: str) -> Any:
    try:
        return service_model(name)
    except Exception:
        return _session.get_service_model(name)


def to_request(service: str, operation: str, params: dict[str, Any]) -> Request:
    svc = model(service)
    op = svc.operation_model(operation)
    wire = serialize.create_serializer(svc.protocol).serialize_to_request(params, op)
    body = wire["body"]
    if isinstance(body, dict):
        body = urlencode(body, doseq=True).encode()
    elif isinstance(body, str):
        body = body.encode()
    split = urlsplit(wire["url_path"])
    query = wire.get("query_string") or ""
    if isinstance(query, dict):
        query = urlencode(query, doseq=True)
    headers = {k.lower(): str(v) for k, v in wire["headers"].items()}
    if svc.protocol in ("query", "ec2"):
        headers["content-type"] = "application/x-www-form-urlencoded; charset=utf-8"
    return Request(wire["method"], split.path, query or split.query, headers, body or b"")


def request_roundtrip(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    svc = model(service)
    request = to_request(service, operation, params)
    protocol = protocol_for(svc)
    found = protocol.find_operation(svc, request)
    assert found is not None and found.name == operation
    return protocol.parse(found, request)


def response_roundtrip(service: str, operation: str, output: dict[str, Any]) -> dict[str, Any]:
    svc = model(service)
    op = svc.operation_model(operation)
    response = protocol_for(svc).serialize(op, output, "req-1")
    parsed = parsers.create_parser(svc.protocol).parse(
        {"body": response.body, "headers": response.headers, "status_code": response.status},
        op.output_shape,
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


def error_roundtrip(service: str, error: errors.AwsError) -> dict[str, Any]:
    svc = model(service)
    op = svc.operation_model(svc.operation_names[0])
    response = protocol_for(svc).serialize_error(svc, error, "req-2")
    parsed = parsers.create_parser(svc.protocol).parse(
        {"body": response.body, "headers": response.headers, "status_code": response.status},
        op.output_shape,
    )
    return {"status": response.status, **parsed["Error"]}


EC2_REQUESTS = [
    (
        "CreateVpc",
        {
            "CidrBlock": "10.0.0.0/16",
            "TagSpecifications": [
                {"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "a&b<c>"}]}
            ],
        },
    ),
    ("DescribeVpcs", {"Filters": [{"Name": "tag:Name", "Values": ["x", "y*"]}], "MaxResults": 5}),
    (
        "AuthorizeSecurityGroupIngress",
        {
            "GroupId": "sg-1",
            "IpPermissions": [
                {
                    "IpProtocol": "tcp",
                    "FromPort": 443,
                    "ToPort": 443,
                    "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "https"}],
                    "UserIdGroupPairs": [{"GroupId": "sg-2"}],
                }
            ],
        },
    ),
    (
        "CreateVpcEndpoint",
        {
            "VpcId": "vpc-1",
            "ServiceName": "com.amazonaws.us-east-1.ec2",
            "VpcEndpointType": "Interface",
            "SubnetIds": ["subnet-1", "subnet-2"],
            "SecurityGroupIds": ["sg-1"],
            "PrivateDnsEnabled": True,
            "DnsOptions": {"DnsRecordIpType": "ipv4"},
        },
    ),
    ("ModifyVpcAttribute", {"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": True}}),
    ("RunInstances", {"ImageId": "ami-1", "MinCount": 1, "MaxCount": 2, "UserData": "ZWNobw=="}),
]


@pytest.mark.parametrize(("operation", "params"), EC2_REQUESTS, ids=[o for o, _ in EC2_REQUESTS])
def test_ec2_requests(operation: str, params: dict[str, Any]) -> None:
    assert request_roundtrip("ec2", operation, params) == params


def test_ec2_response_lists_structures_and_types() -> None:
    output = {
        "Vpcs": [
            {
                "VpcId": "vpc-1",
                "CidrBlock": "10.0.0.0/16",
                "IsDefault": False,
                "CidrBlockAssociationSet": [
                    {
                        "AssociationId": "a-1",
                        "CidrBlock": "10.0.0.0/16",
                        "CidrBlockState": {"State": "associated"},
                    }
                ],
                "Tags": [{"Key": "Name", "Value": "x & <y>"}],
            }
        ],
        "NextToken": "tok",
    }
    assert response_roundtrip("ec2", "DescribeVpcs", output) == output


def test_ec2_timestamps_and_integers() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=dt.UTC)
    output = {
        "VpcEndpoints": [
            {
                "VpcEndpointId": "vpce-1",
                "State": "pendingAcceptance",
                "CreationTimestamp": when,
                "PrivateDnsEnabled": True,
                "SubnetIds": ["subnet-1"],
                "DnsEntries": [{"DnsName": "a.example", "HostedZoneId": "Z1"}],
            }
        ]
    }
    parsed = response_roundtrip("ec2", "DescribeVpcEndpoints", output)
    assert parsed == output


@pytest.mark.parametrize(
    ("service", "operation", "params"),
    [
        (
            "elbv2",
            "CreateLoadBalancer",
            {
                "Name": "nlb",
                "Type": "network",
                "Subnets": ["subnet-1", "subnet-2"],
                "Tags": [{"Key": "k", "Value": "v"}],
            },
        ),
        (
            "elbv2",
            "ModifyTargetGroupAttributes",
            {
                "TargetGroupArn": "arn:tg",
                "Attributes": [{"Key": "proxy_protocol_v2.enabled", "Value": "true"}],
            },
        ),
        (
            "sns",
            "Publish",
            {
                "TopicArn": "arn:t",
                "Message": "hi",
                "MessageAttributes": {"a": {"DataType": "String", "StringValue": "b"}},
            },
        ),
        ("sns", "CreateTopic", {"Name": "t", "Attributes": {"DisplayName": "d"}}),
    ],
)
def test_query_requests(service: str, operation: str, params: dict[str, Any]) -> None:
    assert request_roundtrip(service, operation, params) == params


def test_query_response_with_result_wrapper_and_maps() -> None:
    output = {"Attributes": {"Policy": '{"a": 1}', "Owner": "123456789012"}}
    assert response_roundtrip("sns", "GetTopicAttributes", output) == output
    lbs = {
        "LoadBalancers": [
            {
                "LoadBalancerName": "n",
                "Type": "network",
                "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-1"}],
            }
        ],
        "NextMarker": "m",
    }
    assert response_roundtrip("elbv2", "DescribeLoadBalancers", lbs) == lbs


def test_json_protocol_roundtrip() -> None:
    params = {
        "logGroupName": "g",
        "logStreamName": "s",
        "logEvents": [{"timestamp": 1700000000000, "message": "m"}],
    }
    assert request_roundtrip("logs", "PutLogEvents", params) == params
    output = {
        "logGroups": [{"logGroupName": "g", "creationTime": 17, "storedBytes": 5}],
        "nextToken": "n",
    }
    assert response_roundtrip("logs", "DescribeLogGroups", output) == output


def test_json_timestamps_are_epoch_seconds() -> None:
    when = dt.datetime(2026, 1, 2, 3, 4, 5, 250000, tzinfo=dt.UTC)
    output = {"KeyMetadata": {"KeyId": "k-1", "CreationDate": when, "Enabled": True}}
    svc = model("kms")
    response = protocol_for(svc).serialize(svc.operation_model("DescribeKey"), output, "req-1")
    assert json.loads(response.body)["KeyMetadata"]["CreationDate"] == 1767323045.25
    assert response_roundtrip("kms", "DescribeKey", output) == output


def test_rest_json_roundtrip() -> None:
    params = {
        "Name": "env1",
        "ExecutionRoleArn": "arn:aws:iam::1:role/r",
        "SourceBucketArn": "arn:aws:s3:::b",
        "DagS3Path": "dags",
        "NetworkConfiguration": {
            "SubnetIds": ["subnet-1", "subnet-2"],
            "SecurityGroupIds": ["sg-1"],
        },
        "WebserverAccessMode": "PRIVATE_ONLY",
        "Tags": {"k": "v"},
    }
    assert request_roundtrip("mwaa", "CreateEnvironment", params) == params
    assert request_roundtrip("mwaa", "GetEnvironment", {"Name": "env1"}) == {"Name": "env1"}
    assert request_roundtrip("mwaa", "ListEnvironments", {"MaxResults": 5}) == {"MaxResults": 5}
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    output = {
        "Environment": {
            "Name": "env1",
            "Status": "AVAILABLE",
            "CreatedAt": when,
            "WebserverUrl": "x.airflow.amazonaws.com",
            "Tags": {"k": "v"},
        }
    }
    assert response_roundtrip("mwaa", "GetEnvironment", output) == output


@pytest.mark.parametrize("service", ["ec2", "sns", "elbv2", "logs", "mwaa"])
def test_errors_parse_as_aws_errors(service: str) -> None:
    parsed = error_roundtrip(service, errors.InvalidVpcIDNotFound("vpc-1"))
    assert parsed["status"] == 400
    assert parsed["Code"] == "InvalidVpcID.NotFound"
    assert parsed["Message"] == "The vpc ID 'vpc-1' does not exist"


def test_bad_scalars_are_client_errors() -> None:
    svc = model("ec2")
    op = svc.operation_model("DescribeVpcs")
    request = Request(
        "POST",
        "/",
        "",
        {"content-type": "application/x-www-form-urlencoded"},
        b"Action=DescribeVpcs&Version=2016-11-15&MaxResults=abc",
    )
    with pytest.raises(errors.InvalidParameterValue):
        protocol_for(svc).parse(op, request)


# --- strict output ------------------------------------------------------------------------
def strict_serialize(service: str, operation: str, output: dict[str, Any]) -> bytes:
    svc = model(service)
    strict = protocols(strict=True)[svc.protocol]
    return strict.serialize(svc.operation_model(operation), output, "req-3").body


@pytest.mark.parametrize(
    ("service", "operation", "output", "paths"),
    [
        ("ec2", "DescribeVpcs", {"Vpcs": [{"VpcId": "vpc-1", "VpcID": "x"}]}, ["Vpcs[0].VpcID"]),
        ("ec2", "DeleteVpc", {"Return": True}, ["Return"]),  # no output shape at all
        (
            "elbv2",
            "DescribeLoadBalancers",
            {"LoadBalancers": [{"AvailabilityZones": [{"ZoneName": "a", "Zone": "b"}]}]},
            ["LoadBalancers[0].AvailabilityZones[0].Zone"],
        ),
        (
            "sns",
            "ListTopics",
            {"Topics": [{"TopicArn": "arn:t"}], "NextToken": "m", "Next": "n"},
            ["Next"],
        ),
        (
            "kms",
            "DescribeKey",
            {"KeyMetadata": {"KeyId": "k", "Created": 1}, "Extra": None},
            ["KeyMetadata.Created", "Extra"],
        ),
        (
            "mwaa",
            "GetEnvironment",
            {"Environment": {"Name": "e", "Tags": "k=v"}},
            ["Environment.Tags (a str, not a map)"],
        ),
    ],
)
def test_strict_output_refuses_keys_outside_the_shape(
    service: str, operation: str, output: dict[str, Any], paths: list[str]
) -> None:
    with pytest.raises(UnknownOutputKeys) as info:
        strict_serialize(service, operation, output)
    assert info.value.paths == paths
    assert operation in str(info.value) and paths[0] in str(info.value)


def test_strict_output_serializes_what_fits_exactly_as_before() -> None:
    output = {"Attributes": {"Policy": "{}", "Owner": "123456789012"}}
    svc = model("sns")
    op = svc.operation_model("GetTopicAttributes")
    assert strict_serialize("sns", "GetTopicAttributes", output) == (
        protocols(strict=False)["query"].serialize(op, output, "req-3").body
    )


@pytest.mark.parametrize(("value", "strict"), [("1", True), ("", False), ("0", False)])
def test_strict_output_is_chosen_by_the_environment_at_startup(value: str, strict: bool) -> None:
    probe = (
        "from privlink.server.protocols import PROTOCOLS\n"
        "from privlink.server.protocols.strict import StrictOutput\n"
        "print(all(isinstance(p, StrictOutput) for p in PROTOCOLS.values()))"
    )
    env = {**os.environ, STRICT_OUTPUT_ENV: value}
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == str(strict)
