"""S3 objects through boto3: put/get/head with metadata, ranges and checksums, listings
with prefixes, delimiters and pages, delete, DeleteObjects, copy; both addressing styles
and aws-chunked uploads over HTTPS."""

from __future__ import annotations

import base64
import hashlib
import http.client
import io
import warnings
import zlib
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.api.test_s3_buckets import error_of, name, s3
from tests.harness import Server


@pytest.fixture
def bucket(server: Server, account: str) -> tuple[Any, str]:
    client = s3(server, account)
    created = name()
    client.create_bucket(Bucket=created)
    return client, created


def test_put_get_head(bucket: tuple[Any, str]) -> None:
    client, b = bucket
    body = b"hello privlink" * 100
    put = client.put_object(
        Bucket=b, Key="dir/hello.txt", Body=body, ContentType="text/plain",
        Metadata={"team": "data"}, CacheControl="max-age=60",
    )  # fmt: skip
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert put["ChecksumCRC32"] == base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    got = client.get_object(Bucket=b, Key="dir/hello.txt")
    assert got["Body"].read() == body
    assert (got["ContentType"], got["ContentLength"], got["ETag"]) == (
        "text/plain", len(body), put["ETag"],
    )  # fmt: skip
    assert got["Metadata"] == {"team": "data"} and got["CacheControl"] == "max-age=60"
    assert "VersionId" not in got  # never-versioned bucket
    head = client.head_object(Bucket=b, Key="dir/hello.txt", ChecksumMode="ENABLED")
    assert head["ContentLength"] == len(body) and head["ChecksumCRC32"] == put["ChecksumCRC32"]
    assert head["LastModified"] == got["LastModified"]


def test_ranges(bucket: tuple[Any, str]) -> None:
    client, b = bucket
    client.put_object(Bucket=b, Key="r", Body=b"0123456789")
    for spec, part, content_range in (
        ("bytes=2-5", b"2345", "bytes 2-5/10"),
        ("bytes=7-", b"789", "bytes 7-9/10"),
        ("bytes=-3", b"789", "bytes 7-9/10"),
        ("bytes=8-100", b"89", "bytes 8-9/10"),
    ):
        got = client.get_object(Bucket=b, Key="r", Range=spec)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
        assert (got["Body"].read(), got["ContentRange"]) == (part, content_range)
    with pytest.raises(ClientError) as excinfo:
        client.get_object(Bucket=b, Key="r", Range="bytes=10-")
    assert error_of(excinfo)[:2] == ("InvalidRange", 416)


def test_missing_keys_and_bad_digests(bucket: tuple[Any, str]) -> None:
    client, b = bucket
    with pytest.raises(ClientError) as excinfo:
        client.get_object(Bucket=b, Key="nope")
    assert error_of(excinfo) == ("NoSuchKey", 404, "The specified key does not exist.")
    assert excinfo.value.response["Error"]["Key"] == "nope"
    with pytest.raises(ClientError) as excinfo:
        client.head_object(Bucket=b, Key="nope")
    assert error_of(excinfo)[:2] == ("404", 404)
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    with pytest.raises(ClientError) as excinfo:
        client.put_object(Bucket=b, Key="k", Body=b"data", ContentMD5=wrong)
    assert error_of(excinfo)[:2] == ("BadDigest", 400)
    with pytest.raises(ClientError) as excinfo:
        client.put_object(Bucket=b, Key="k", Body=b"data", ChecksumCRC32="AAAAAA==")
    assert error_of(excinfo) == (
        "BadDigest", 400, "The CRC32 you specified did not match the calculated checksum.",
    )  # fmt: skip
    assert client.list_objects_v2(Bucket=b)["KeyCount"] == 0  # nothing half-stored


def test_sha256_checksum_round_trip(bucket: tuple[Any, str]) -> None:
    client, b = bucket
    body = b"checksummed"
    put = client.put_object(Bucket=b, Key="s", Body=body, ChecksumAlgorithm="SHA256")
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    assert put["ChecksumSHA256"] == expected
    got = client.get_object(Bucket=b, Key="s", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == expected and got["Body"].read() == body


def test_list_objects_v2_prefixes_delimiters_pages(bucket: tuple[Any, str]) -> None:
    client, b = bucket
    keys = ["a.txt", "dags/x.py", "dags/y.py", "dags/sub/z.py", "logs/1", "logs/2", "z+ space"]
    for key in keys:
        client.put_object(Bucket=b, Key=key, Body=key.encode())
    everything = client.list_objects_v2(Bucket=b)
    assert [o["Key"] for o in everything["Contents"]] == sorted(keys)
    assert everything["KeyCount"] == len(keys) and everything["IsTruncated"] is False
    top = client.list_objects_v2(Bucket=b, Delimiter="/")
    assert [o["Key"] for o in top["Contents"]] == ["a.txt", "z+ space"]
    assert [p["Prefix"] for p in top["CommonPrefixes"]] == ["dags/", "logs/"]
    dags = client.list_objects_v2(Bucket=b, Prefix="dags/", Delimiter="/")
    assert [o["Key"] for o in dags["Contents"]] == ["dags/x.py", "dags/y.py"]
    assert [p["Prefix"] for p in dags["CommonPrefixes"]] == ["dags/sub/"]
    seen: list[str] = []
    pages = client.get_paginator("list_objects_v2").paginate(
        Bucket=b, PaginationConfig={"PageSize": 2}
    )
    for page in pages:
        assert page["KeyCount"] <= 2
        seen += [o["Key"] for o in page.get("Contents", [])]
    assert seen == sorted(keys)
    first = client.list_objects_v2(Bucket=b, Delimiter="/", MaxKeys=2)
    assert first["IsTruncated"] and first["KeyCount"] == 2
    rest = client.list_objects_v2(
        Bucket=b, Delimiter="/", ContinuationToken=first["NextContinuationToken"]
    )
    assert [p["Prefix"] for p in rest["CommonPrefixes"]] == ["logs/"]
    assert client.list_objects_v2(Bucket=b, StartAfter="logs/2")["Contents"][0]["Key"] == "z+ space"
    v1 = client.list_objects(Bucket=b, Prefix="logs/")
    assert [o["Key"] for o in v1["Contents"]] == ["logs/1", "logs/2"]


def test_delete_and_delete_objects(bucket: tuple[Any, str]) -> None:
    client, b = bucket
    for key in ("one", "two", "three"):
        client.put_object(Bucket=b, Key=key, Body=b"x")
    assert client.delete_object(Bucket=b, Key="one")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.delete_object(Bucket=b, Key="never")["ResponseMetadata"]["HTTPStatusCode"] == 204
    result = client.delete_objects(
        Bucket=b, Delete={"Objects": [{"Key": "two"}, {"Key": "three"}, {"Key": "ghost"}]}
    )
    assert sorted(d["Key"] for d in result["Deleted"]) == ["ghost", "three", "two"]
    assert client.list_objects_v2(Bucket=b)["KeyCount"] == 0
    quiet = client.delete_objects(Bucket=b, Delete={"Objects": [{"Key": "x"}], "Quiet": True})
    assert "Deleted" not in quiet


def test_copy_object(bucket: tuple[Any, str]) -> None:
    client, b = bucket
    client.put_object(Bucket=b, Key="src", Body=b"copy me", Metadata={"a": "1"})
    copied = client.copy_object(Bucket=b, Key="dst", CopySource={"Bucket": b, "Key": "src"})
    assert copied["CopyObjectResult"]["ETag"] == f'"{hashlib.md5(b"copy me").hexdigest()}"'
    got = client.get_object(Bucket=b, Key="dst")
    assert got["Body"].read() == b"copy me" and got["Metadata"] == {"a": "1"}
    client.copy_object(
        Bucket=b, Key="dst", CopySource=f"{b}/src", MetadataDirective="REPLACE",
        Metadata={"b": "2"}, ContentType="text/plain",
    )  # fmt: skip
    replaced = client.head_object(Bucket=b, Key="dst")
    assert replaced["Metadata"] == {"b": "2"} and replaced["ContentType"] == "text/plain"
    client.delete_object(Bucket=b, Key="src")
    assert client.get_object(Bucket=b, Key="dst")["Body"].read() == b"copy me"
    with pytest.raises(ClientError) as excinfo:
        client.copy_object(Bucket=b, Key="dst", CopySource=f"{b}/dst")
    assert error_of(excinfo)[:2] == ("InvalidRequest", 400)
    with pytest.raises(ClientError) as excinfo:
        client.copy_object(Bucket=b, Key="x", CopySource=f"{b}/gone")
    assert error_of(excinfo)[:2] == ("NoSuchKey", 404)


def test_virtual_host_addressing(server: Server, account: str) -> None:
    """bucket.s3.amazonaws.com and bucket.s3.REGION.amazonaws.com Host headers (sent
    through privlink as an HTTP proxy, as a client in a VPC resolving S3 would)."""
    for endpoint in ("http://s3.amazonaws.com", "http://s3.us-east-1.amazonaws.com"):
        client = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id=account, aws_secret_access_key="test",
            config=Config(
                retries={"max_attempts": 1}, proxies={"http": f"127.0.0.1:{server.port}"},
                s3={"addressing_style": "virtual"},
            ),
        )  # fmt: skip
        b = name("vhost")
        client.create_bucket(Bucket=b)
        client.put_object(Bucket=b, Key="path/to/key", Body=b"virtual")
        assert client.get_object(Bucket=b, Key="path/to/key")["Body"].read() == b"virtual"
        assert [o["Key"] for o in client.list_objects_v2(Bucket=b)["Contents"]] == ["path/to/key"]
        path_style = s3(server, account)
        assert path_style.get_object(Bucket=b, Key="path/to/key")["Body"].read() == b"virtual"


def test_localhost_virtual_host_header(server: Server, account: str) -> None:
    """BUCKET.localhost:PORT, what SDKs build from AWS_ENDPOINT_URL=http://localhost:PORT."""
    client = s3(server, account)
    b = name("local")
    client.create_bucket(Bucket=b)
    client.put_object(Bucket=b, Key="k.txt", Body=b"via localhost")
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/k.txt", headers={"Host": f"{b}.localhost:{server.port}"})
    response = conn.getresponse()
    # Unsigned, so the default account asks: another account's bucket is AccessDenied.
    assert response.status == 403 and b"<Code>AccessDenied</Code>" in response.read()
    conn.request("GET", "/nope.txt", headers={"Host": f"{name('none')}.localhost"})
    missing = conn.getresponse()
    assert missing.status == 404 and b"<Code>NoSuchBucket</Code>" in missing.read()


def test_aws_chunked_upload_over_https(server: Server, account: str) -> None:
    """Over HTTPS botocore streams bodies aws-chunked with a CRC32 trailer."""
    warnings.filterwarnings("ignore")
    client = boto3.client(
        "s3", endpoint_url=f"https://127.0.0.1:{server.https_port}", region_name="us-east-1",
        aws_access_key_id=account, aws_secret_access_key="test", verify=False,
        config=Config(retries={"max_attempts": 1}),
    )  # fmt: skip
    b = name("chunked")
    client.create_bucket(Bucket=b)
    body = bytes(range(256)) * 4096  # 1 MiB
    put = client.put_object(Bucket=b, Key="c", Body=io.BytesIO(body))
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    assert put["ChecksumCRC32"] == base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    got = client.get_object(Bucket=b, Key="c")
    assert got["Body"].read() == body and got["ContentLength"] == len(body)
