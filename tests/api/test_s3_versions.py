"""S3 versioning and multipart uploads through boto3 and the AWS CLI."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_s3_buckets import error_of, name, s3
from tests.harness import Server

MiB = 1024 * 1024


@pytest.fixture
def versioned(server: Server, account: str) -> tuple[Any, str]:
    client = s3(server, account)
    b = name("ver")
    client.create_bucket(Bucket=b)
    client.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    return client, b


def test_versions_and_delete_markers(versioned: tuple[Any, str]) -> None:
    client, b = versioned
    v1 = client.put_object(Bucket=b, Key="k", Body=b"one")["VersionId"]
    v2 = client.put_object(Bucket=b, Key="k", Body=b"two")["VersionId"]
    assert v1 != v2 and len(v1) == 32
    assert client.get_object(Bucket=b, Key="k")["Body"].read() == b"two"
    assert client.get_object(Bucket=b, Key="k", VersionId=v1)["Body"].read() == b"one"
    ranged = client.get_object(Bucket=b, Key="k", VersionId=v1, Range="bytes=1-")
    assert ranged["Body"].read() == b"ne" and ranged["VersionId"] == v1
    deleted = client.delete_object(Bucket=b, Key="k")
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    with pytest.raises(ClientError) as excinfo:
        client.get_object(Bucket=b, Key="k")
    assert error_of(excinfo)[:2] == ("NoSuchKey", 404)
    with pytest.raises(ClientError) as excinfo:
        client.get_object(Bucket=b, Key="k", VersionId=marker)
    assert error_of(excinfo)[:2] == ("MethodNotAllowed", 405)
    listed = client.list_object_versions(Bucket=b)
    assert [(v["VersionId"], v["IsLatest"]) for v in listed["Versions"]] == [
        (v2, False),
        (v1, False),
    ]
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert client.list_objects_v2(Bucket=b)["KeyCount"] == 0
    removed = client.delete_object(Bucket=b, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert client.get_object(Bucket=b, Key="k")["Body"].read() == b"two"
    with pytest.raises(ClientError) as excinfo:
        client.get_object(Bucket=b, Key="k", VersionId="A" * 32)
    assert error_of(excinfo)[:2] == ("NoSuchVersion", 404)
    with pytest.raises(ClientError) as excinfo:
        client.get_object(Bucket=b, Key="k", VersionId="bad!")
    assert error_of(excinfo) == ("InvalidArgument", 400, "Invalid version id specified")
    with pytest.raises(ClientError) as excinfo:
        client.delete_bucket(Bucket=b)
    assert error_of(excinfo)[:2] == ("BucketNotEmpty", 409)


def test_version_listing_pages(versioned: tuple[Any, str]) -> None:
    client, b = versioned
    for key in ("a", "b"):
        for body in (b"1", b"2", b"3"):
            client.put_object(Bucket=b, Key=key, Body=body)
    seen = []
    for page in client.get_paginator("list_object_versions").paginate(
        Bucket=b, PaginationConfig={"PageSize": 2}
    ):
        seen += [(v["Key"], v["VersionId"]) for v in page.get("Versions", [])]
    assert len(seen) == 6 and len(set(seen)) == 6
    assert [k for k, _ in seen] == ["a", "a", "a", "b", "b", "b"]


def test_suspended_versioning_keeps_one_null_version(versioned: tuple[Any, str]) -> None:
    client, b = versioned
    kept = client.put_object(Bucket=b, Key="k", Body=b"kept")["VersionId"]
    client.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Suspended"})
    assert client.put_object(Bucket=b, Key="k", Body=b"n1")["VersionId"] == "null"
    client.put_object(Bucket=b, Key="k", Body=b"n2")
    versions = client.list_object_versions(Bucket=b)["Versions"]
    assert [v["VersionId"] for v in versions] == ["null", kept]
    assert client.get_object(Bucket=b, Key="k", VersionId="null")["Body"].read() == b"n2"


def _parts(client: Any, b: str, key: str, upload: str, sizes: list[int]) -> list[dict[str, Any]]:
    done = []
    for number, size in enumerate(sizes, start=1):
        body = bytes([number]) * size
        etag = client.upload_part(Bucket=b, Key=key, UploadId=upload, PartNumber=number, Body=body)[
            "ETag"
        ]
        assert etag == f'"{hashlib.md5(body).hexdigest()}"'
        done.append({"PartNumber": number, "ETag": etag})
    return done


def test_multipart_upload(versioned: tuple[Any, str]) -> None:
    client, b = versioned
    upload = client.create_multipart_upload(Bucket=b, Key="big", ContentType="text/csv")
    uid = upload["UploadId"]
    parts = _parts(client, b, "big", uid, [5 * MiB, 5 * MiB, 123])
    listed = client.list_parts(Bucket=b, Key="big", UploadId=uid)
    assert [(p["PartNumber"], p["Size"]) for p in listed["Parts"]] == [
        (1, 5 * MiB), (2, 5 * MiB), (3, 123),
    ]  # fmt: skip
    assert [u["UploadId"] for u in client.list_multipart_uploads(Bucket=b)["Uploads"]] == [uid]
    done = client.complete_multipart_upload(
        Bucket=b, Key="big", UploadId=uid, MultipartUpload={"Parts": parts}
    )
    digests = b"".join(bytes.fromhex(p["ETag"].strip('"')) for p in parts)
    assert done["ETag"] == f'"{hashlib.md5(digests).hexdigest()}-3"'
    head = client.head_object(Bucket=b, Key="big")
    assert head["ContentLength"] == 10 * MiB + 123 and head["ContentType"] == "text/csv"
    tail = client.get_object(Bucket=b, Key="big", Range=f"bytes={10 * MiB - 1}-")["Body"].read()
    assert tail == b"\x02" + b"\x03" * 123
    with pytest.raises(ClientError) as excinfo:
        client.list_parts(Bucket=b, Key="big", UploadId=uid)
    assert error_of(excinfo)[:2] == ("NoSuchUpload", 404)


def test_multipart_errors_and_abort(versioned: tuple[Any, str]) -> None:
    client, b = versioned
    uid = client.create_multipart_upload(Bucket=b, Key="m")["UploadId"]
    parts = _parts(client, b, "m", uid, [1024, 1024])
    complete = client.complete_multipart_upload
    with pytest.raises(ClientError) as excinfo:
        complete(Bucket=b, Key="m", UploadId=uid, MultipartUpload={"Parts": parts})
    assert error_of(excinfo)[:2] == ("EntityTooSmall", 400)
    with pytest.raises(ClientError) as excinfo:
        complete(Bucket=b, Key="m", UploadId=uid, MultipartUpload={"Parts": parts[::-1]})
    assert error_of(excinfo)[:2] == ("InvalidPartOrder", 400)
    wrong = [{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}]
    with pytest.raises(ClientError) as excinfo:
        complete(Bucket=b, Key="m", UploadId=uid, MultipartUpload={"Parts": wrong})
    assert error_of(excinfo)[:2] == ("InvalidPart", 400)
    with pytest.raises(ClientError) as excinfo:
        client.upload_part(Bucket=b, Key="m", UploadId=uid, PartNumber=10001, Body=b"x")
    assert error_of(excinfo)[:2] == ("InvalidArgument", 400)
    aborted = client.abort_multipart_upload(Bucket=b, Key="m", UploadId=uid)
    assert aborted["ResponseMetadata"]["HTTPStatusCode"] == 204
    for call in (
        lambda: client.abort_multipart_upload(Bucket=b, Key="m", UploadId=uid),
        lambda: client.upload_part(Bucket=b, Key="m", UploadId=uid, PartNumber=1, Body=b"x"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo)[:2] == ("NoSuchUpload", 404)
    assert client.list_objects_v2(Bucket=b)["KeyCount"] == 0


def test_cli_cp_multipart_sync_ls(server: Server, account: str, tmp_path: Path) -> None:
    """`aws s3 cp` of a file past the CLI's 8 MiB threshold uses multipart; sync and ls."""
    b = name("cli")
    server.aws("s3", "mb", f"s3://{b}", account=account)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(9 * MiB + 17))
    server.aws(
        "s3", "cp", "--only-show-errors", str(big), f"s3://{b}/data/big.bin", account=account
    )
    head = json.loads(
        server.aws("s3api", "head-object", "--bucket", b, "--key", "data/big.bin",
                   account=account).stdout
    )  # fmt: skip
    assert head["ContentLength"] == 9 * MiB + 17 and head["ETag"].endswith('-2"')
    back = tmp_path / "back.bin"
    server.aws(
        "s3", "cp", "--only-show-errors", f"s3://{b}/data/big.bin", str(back), account=account
    )
    assert back.read_bytes() == big.read_bytes()
    dags = tmp_path / "dags"
    (dags / "sub").mkdir(parents=True)
    (dags / "one.py").write_text("print(1)\n")
    (dags / "sub" / "two.py").write_text("print(2)\n")
    server.aws("s3", "sync", "--only-show-errors", str(dags), f"s3://{b}/dags", account=account)
    listing = server.aws("s3", "ls", "--recursive", f"s3://{b}/dags/", account=account).stdout
    assert "dags/one.py" in listing and "dags/sub/two.py" in listing
    again = server.aws("s3", "sync", str(dags), f"s3://{b}/dags", account=account).stdout
    assert again.strip() == ""  # nothing changed, nothing uploaded
    top = server.aws("s3", "ls", f"s3://{b}/", account=account).stdout
    assert "PRE dags/" in top and "PRE data/" in top
    got = json.loads(
        server.aws("s3api", "get-object", "--bucket", b, "--key", "dags/one.py", "--range",
                   "bytes=0-4", str(tmp_path / "part"), account=account).stdout
    )  # fmt: skip
    assert got["ContentRange"] == "bytes 0-4/9" and (tmp_path / "part").read_text() == "print"
    server.aws("s3api", "delete-object", "--bucket", b, "--key", "dags/one.py", account=account)
    missing = server.aws("s3api", "head-object", "--bucket", b, "--key", "dags/one.py",
                         account=account, check=False)  # fmt: skip
    assert missing.returncode != 0 and "404" in missing.stderr
    server.aws("s3", "rb", "--force", f"s3://{b}", account=account)
    assert b not in server.aws("s3", "ls", account=account).stdout


def test_cli_versions(server: Server, account: str, tmp_path: Path) -> None:
    b = name("cliv")
    server.aws("s3", "mb", f"s3://{b}", account=account)
    server.aws("s3api", "put-bucket-versioning", "--bucket", b,
               "--versioning-configuration", "Status=Enabled", account=account)  # fmt: skip
    (tmp_path / "r.txt").write_text("apache-airflow==2.10.3\n")
    first = json.loads(
        server.aws("s3api", "put-object", "--bucket", b, "--key", "requirements.txt",
                   "--body", str(tmp_path / "r.txt"), account=account).stdout
    )["VersionId"]  # fmt: skip
    (tmp_path / "r.txt").write_text("boto3\n")
    server.aws("s3", "cp", str(tmp_path / "r.txt"), f"s3://{b}/requirements.txt", account=account)
    versions = json.loads(
        server.aws("s3api", "list-object-versions", "--bucket", b, account=account).stdout
    )["Versions"]
    assert len(versions) == 2 and versions[1]["VersionId"] == first
    out = tmp_path / "old.txt"
    server.aws("s3api", "get-object", "--bucket", b, "--key", "requirements.txt",
               "--version-id", first, str(out), account=account)  # fmt: skip
    assert out.read_text() == "apache-airflow==2.10.3\n"
