"""S3 buckets through boto3 and the AWS CLI: create, names, regions, versioning, public
access block, policy, delete; with S3's error codes and statuses."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.harness import Server


def name(prefix: str = "plk") -> str:
    return f"{prefix}-{secrets.token_hex(6)}"


def s3(server: Server, account: str, region: str = "us-east-1") -> Any:
    return server.client("s3", account, region)


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int, str]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Message"]


def test_create_list_head_location(server: Server, account: str) -> None:
    client = s3(server, account)
    bucket = name()
    assert client.create_bucket(Bucket=bucket)["Location"] == f"/{bucket}"
    listed = client.list_buckets()
    assert [b["Name"] for b in listed["Buckets"]] == [bucket]
    assert listed["Buckets"][0]["BucketRegion"] == "us-east-1"
    assert listed["Owner"]["ID"] == account
    head = client.head_bucket(Bucket=bucket)
    assert head["ResponseMetadata"]["HTTPHeaders"]["x-amz-bucket-region"] == "us-east-1"
    assert client.get_bucket_location(Bucket=bucket)["LocationConstraint"] is None


def test_bucket_in_another_region(server: Server, account: str) -> None:
    client = s3(server, account, "eu-west-1")
    bucket = name()
    created = client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    assert created["Location"] == f"http://{bucket}.s3.amazonaws.com/"
    assert client.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-west-1"
    with pytest.raises(ClientError) as excinfo:
        client.create_bucket(Bucket=name())
    assert error_of(excinfo)[:2] == ("IllegalLocationConstraintException", 400)
    with pytest.raises(ClientError) as excinfo:
        client.create_bucket(
            Bucket=name(), CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
        )
    code, _, message = error_of(excinfo)
    assert code == "IllegalLocationConstraintException" and "us-west-2" in message


def test_bucket_names_are_global(server: Server, account: str) -> None:
    bucket = name()
    s3(server, account).create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as excinfo:
        s3(server, account).create_bucket(Bucket=bucket)
    assert error_of(excinfo)[:2] == ("BucketAlreadyOwnedByYou", 409)
    other = str(int(account) + 1)
    with pytest.raises(ClientError) as excinfo:
        s3(server, other).create_bucket(Bucket=bucket)
    assert error_of(excinfo)[:2] == ("BucketAlreadyExists", 409)
    with pytest.raises(ClientError) as excinfo:
        s3(server, other).put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error_of(excinfo)[:2] == ("AccessDenied", 403)
    assert s3(server, other).list_buckets()["Buckets"] == []


@pytest.mark.parametrize(
    "bad",
    ["ab", "UpperCase", "has_underscore", "-starts-with-dash", "ends-with-dash-",
     "two..dots", "192.168.1.10", "xn--punycode", "name-s3alias", "a" * 64],
)  # fmt: skip
def test_invalid_bucket_names(server: Server, account: str, bad: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3(server, account).create_bucket(Bucket=bad)
    code, status, message = error_of(excinfo)
    assert (code, status, message) == (
        "InvalidBucketName",
        400,
        "The specified bucket is not valid.",
    )
    assert excinfo.value.response["Error"]["BucketName"] == bad


def test_missing_bucket(server: Server, account: str) -> None:
    client = s3(server, account)
    missing = name("missing")
    for call in (
        lambda: client.get_bucket_location(Bucket=missing),
        lambda: client.list_objects_v2(Bucket=missing),
        lambda: client.delete_bucket(Bucket=missing),
        lambda: client.put_object(Bucket=missing, Key="k", Body=b"x"),
    ):
        with pytest.raises(ClientError) as excinfo:
            call()
        code, status, message = error_of(excinfo)
        assert (code, status) == ("NoSuchBucket", 404)
        assert message == "The specified bucket does not exist"
    with pytest.raises(ClientError) as excinfo:
        client.head_bucket(Bucket=missing)
    assert error_of(excinfo)[:2] == ("404", 404)


def test_versioning_configuration(server: Server, account: str) -> None:
    client = s3(server, account)
    bucket = name()
    client.create_bucket(Bucket=bucket)
    assert "Status" not in client.get_bucket_versioning(Bucket=bucket)
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert client.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert client.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    with pytest.raises(ClientError) as excinfo:
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "On"})
    assert error_of(excinfo)[:2] == ("MalformedXML", 400)


def test_public_access_block(server: Server, account: str) -> None:
    client = s3(server, account)
    bucket = name()
    client.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as excinfo:
        client.get_public_access_block(Bucket=bucket)
    assert error_of(excinfo) == (
        "NoSuchPublicAccessBlockConfiguration",
        404,
        "The public access block configuration was not found",
    )
    config = {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": False,
    }
    client.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=config)
    got = client.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert got == config
    client.delete_public_access_block(Bucket=bucket)
    with pytest.raises(ClientError):
        client.get_public_access_block(Bucket=bucket)


def _policy(bucket: str, **statement: Any) -> str:
    base = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [{**base, **statement}]})


def test_bucket_policy(server: Server, account: str) -> None:
    client = s3(server, account)
    bucket = name()
    client.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as excinfo:
        client.get_bucket_policy(Bucket=bucket)
    assert error_of(excinfo) == ("NoSuchBucketPolicy", 404, "The bucket policy does not exist")
    policy = _policy(bucket)
    client.put_bucket_policy(Bucket=bucket, Policy=policy)
    assert json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(policy)
    for bad, message in (
        ("not json", "Policies must be valid JSON and the first byte must be '{'"),
        (json.dumps({"Version": "2012-10-17"}), "Missing required field Statement"),
        (_policy(bucket, Effect="Maybe"), "Invalid effect: Maybe"),
        (_policy(bucket, Resource="arn:aws:s3:::other-bucket/*"), "Policy has invalid resource"),
    ):
        with pytest.raises(ClientError) as excinfo:
            client.put_bucket_policy(Bucket=bucket, Policy=bad)
        assert error_of(excinfo) == ("MalformedPolicy", 400, message)
    client.delete_bucket_policy(Bucket=bucket)
    with pytest.raises(ClientError):
        client.get_bucket_policy(Bucket=bucket)


def test_delete_bucket_only_when_empty(server: Server, account: str) -> None:
    client = s3(server, account)
    bucket = name()
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="k", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        client.delete_bucket(Bucket=bucket)
    assert error_of(excinfo)[:2] == ("BucketNotEmpty", 409)
    client.delete_object(Bucket=bucket, Key="k")
    assert client.delete_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client.list_buckets()["Buckets"] == []
    client.create_bucket(Bucket=bucket)  # the name is free again


def test_cli_bucket_lifecycle(server: Server, account: str, tmp_path: Any) -> None:
    bucket = name("cli")
    assert "make_bucket" in server.aws("s3", "mb", f"s3://{bucket}", account=account).stdout
    server.aws(
        "s3api", "put-bucket-versioning", "--bucket", bucket,
        "--versioning-configuration", "Status=Enabled", account=account,
    )  # fmt: skip
    server.aws(
        "s3api", "put-public-access-block", "--bucket", bucket,
        "--public-access-block-configuration",
        "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        account=account,
    )  # fmt: skip
    got = json.loads(
        server.aws("s3api", "get-public-access-block", "--bucket", bucket, account=account).stdout
    )
    assert all(got["PublicAccessBlockConfiguration"].values())
    server.aws(
        "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", _policy(bucket),
        account=account,
    )  # fmt: skip
    assert bucket in server.aws("s3", "ls", account=account).stdout
    again = server.aws("s3", "mb", f"s3://{bucket}", account=account, check=False)
    assert again.returncode != 0 and "BucketAlreadyOwnedByYou" in again.stderr
    server.aws("s3api", "put-bucket-versioning", "--bucket", bucket,
               "--versioning-configuration", "Status=Suspended", account=account)  # fmt: skip
    unversioned = name("cli")
    server.aws("s3", "mb", f"s3://{unversioned}", account=account)
    (tmp_path / "f.txt").write_text("x")
    server.aws("s3", "cp", str(tmp_path / "f.txt"), f"s3://{unversioned}/a/f.txt", account=account)
    removed = server.aws("s3", "rb", f"s3://{unversioned}", "--force", account=account)
    assert "remove_bucket" in removed.stdout
    assert unversioned not in server.aws("s3", "ls", account=account).stdout
