# ruff: noqa: E501
"""rest-xml round trips through botocore's own serializer and parser (S3's model).

A request botocore serializes must parse back to the same parameters, and a
response privlink serializes must parse, with botocore's client parser, back
to the same output. (GetBucketLocation's body is read by a botocore customization,
not by the parser: tests/api/test_s3_buckets.py covers it through a client.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore import parsers, serialize
from botocore.awsrequest import HeadersDict

from privlink import errors
from privlink.server.models import service_model
from privlink.server.protocols import Request, protocol_for

S3 = service_model("s3")
PROTOCOL = protocol_for(S3)


def request_roundtrip(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    op = S3.operation_model(operation)
    wire = serialize.create_serializer("rest-xml").serialize_to_request(params, op)
    split = urlsplit(wire["url_path"])
    query = "&".join(
        f"{k}={v}" if v != "" else k for k, v in (wire.get("query_string") or {}).items()
    )
    query = "&".join(q for q in (split.query, query) if q)
    body = wire["body"] if isinstance(wire["body"], bytes) else str(wire["body"] or "").encode()
    headers = {k.lower(): str(v) for k, v in wire["headers"].items()}
    request = Request(wire["method"], split.path, query, headers, body)
    found = PROTOCOL.find_operation(S3, request)
    assert found is not None and found.name == operation
    return PROTOCOL.parse(found, request)


def response_roundtrip(operation: str, output: dict[str, Any]) -> dict[str, Any]:
    op = S3.operation_model(operation)
    response = PROTOCOL.serialize(op, output, "req-1")
    parsed = parsers.create_parser("rest-xml").parse(
        {
            "body": response.body,
            "headers": HeadersDict(response.headers),
            "status_code": response.status,
        },
        op.output_shape,
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


REQUESTS = [
    ("CreateBucket", {"Bucket": "b", "CreateBucketConfiguration": {"LocationConstraint": "eu-west-1"}}),
    ("PutBucketVersioning", {"Bucket": "b", "VersioningConfiguration": {"Status": "Enabled"}}),
    (
        "PutPublicAccessBlock",
        {"Bucket": "b", "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": False}},
    ),
    ("PutBucketPolicy", {"Bucket": "b", "Policy": '{"Statement": []}'}),
    ("ListObjectsV2", {"Bucket": "b", "Prefix": "a/", "Delimiter": "/", "MaxKeys": 7, "ContinuationToken": "t=="}),
    ("ListObjectVersions", {"Bucket": "b", "KeyMarker": "k", "VersionIdMarker": "v"}),
    ("GetObject", {"Bucket": "b", "Key": "dir/a b+c.txt", "VersionId": "v1", "Range": "bytes=0-9"}),
    ("HeadObject", {"Bucket": "b", "Key": "k", "ChecksumMode": "ENABLED"}),
    ("DeleteObject", {"Bucket": "b", "Key": "k", "VersionId": "v"}),
    ("DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "a"}, {"Key": "b", "VersionId": "v"}], "Quiet": True}}),
    ("CopyObject", {"Bucket": "b", "Key": "k", "CopySource": "src/key", "MetadataDirective": "REPLACE", "Metadata": {"x": "1"}}),
    ("CreateMultipartUpload", {"Bucket": "b", "Key": "k", "ContentType": "text/csv", "ChecksumAlgorithm": "CRC32"}),
    ("ListParts", {"Bucket": "b", "Key": "k", "UploadId": "u", "MaxParts": 3}),
    ("AbortMultipartUpload", {"Bucket": "b", "Key": "k", "UploadId": "u"}),
    (
        "CompleteMultipartUpload",
        {"Bucket": "b", "Key": "k", "UploadId": "u",
         "MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": '"e1"'}, {"PartNumber": 2, "ETag": '"e2"', "ChecksumCRC32": "AAAAAA=="}]}},
    ),
    ("HeadBucket", {"Bucket": "b"}),
    ("GetBucketLocation", {"Bucket": "b"}),
    ("ListBuckets", {}),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "params"), REQUESTS, ids=[r[0] for r in REQUESTS])
def test_requests_parse_back(operation: str, params: dict[str, Any]) -> None:
    assert request_roundtrip(operation, params) == params


NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
OWNER = {"ID": "123456789012", "DisplayName": "123456789012"}
RESPONSES = [
    (
        "ListObjectsV2",
        {"IsTruncated": True, "Name": "b", "Prefix": "", "MaxKeys": 2, "KeyCount": 2,
         "Contents": [{"Key": "a", "LastModified": NOW, "ETag": '"e"', "Size": 3, "StorageClass": "STANDARD",
                       "ChecksumAlgorithm": ["CRC32"], "ChecksumType": "FULL_OBJECT"}],
         "CommonPrefixes": [{"Prefix": "d/"}], "NextContinuationToken": "tok"},
    ),
    (
        "ListObjectVersions",
        {"IsTruncated": False, "Name": "b", "Prefix": "", "KeyMarker": "", "VersionIdMarker": "", "MaxKeys": 1000,
         "Versions": [{"Key": "a", "VersionId": "v2", "IsLatest": False, "LastModified": NOW, "ETag": '"e"',
                       "Size": 1, "StorageClass": "STANDARD", "Owner": OWNER}],
         "DeleteMarkers": [{"Key": "a", "VersionId": "v3", "IsLatest": True, "LastModified": NOW, "Owner": OWNER}]},
    ),
    ("ListBuckets", {"Buckets": [{"Name": "b", "CreationDate": NOW, "BucketRegion": "us-east-1"}], "Owner": OWNER}),
    ("GetPublicAccessBlock", {"PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": False,
                                                                 "BlockPublicPolicy": True, "RestrictPublicBuckets": False}}),
    ("GetBucketPolicy", {"Policy": '{"Version": "2012-10-17"}'}),
    ("GetBucketVersioning", {"Status": "Suspended"}),
    ("CreateMultipartUpload", {"Bucket": "b", "Key": "k", "UploadId": "u", "ChecksumAlgorithm": "CRC32", "ChecksumType": "COMPOSITE"}),
    ("CompleteMultipartUpload", {"Location": "http://b.s3.amazonaws.com/k", "Bucket": "b", "Key": "k", "ETag": '"e-2"', "VersionId": "v"}),
    ("CopyObject", {"CopyObjectResult": {"ETag": '"e"', "LastModified": NOW}, "VersionId": "v", "CopySourceVersionId": "s"}),
    ("HeadObject", {"ContentLength": 10, "ETag": '"e"', "LastModified": NOW, "ContentType": "text/plain",
                    "Metadata": {"team": "data"}, "VersionId": "v", "ChecksumCRC32": "AAAAAA==", "AcceptRanges": "bytes"}),
    ("DeleteObjects", {"Deleted": [{"Key": "a", "DeleteMarker": True, "DeleteMarkerVersionId": "v"}],
                       "Errors": [{"Key": "b", "Code": "AccessDenied", "Message": "Access Denied"}]}),
]  # fmt: skip


@pytest.mark.parametrize(("operation", "output"), RESPONSES, ids=[r[0] for r in RESPONSES])
def test_responses_parse_back(operation: str, output: dict[str, Any]) -> None:
    assert response_roundtrip(operation, output) == output


def test_errors_parse_with_their_code_status_and_resource() -> None:
    response = PROTOCOL.serialize_error(S3, errors.NoSuchKey("dags/a.py"), "req-2")
    parsed = parsers.create_parser("rest-xml").parse(
        {"body": response.body, "headers": response.headers, "status_code": response.status},
        S3.operation_model("GetObject").output_shape,
    )
    assert response.status == 404
    assert parsed["Error"] == {
        "Code": "NoSuchKey", "Message": "The specified key does not exist.", "Key": "dags/a.py",
    }  # fmt: skip
