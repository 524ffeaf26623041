"""Strict mode verifies SigV4 as AWS does: the date window, every signed header, the
payload hash recomputed from the body, presigned URLs; and privlink's own routes need
the admin key. Each attempt below got past strict mode once (issue 13)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock
from xml.etree import ElementTree

import boto3
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.harness import Server

KEY, SECRET = "333333333333", "s3cret/with+chars"
ADMIN, ADMIN_SECRET = "999999999999", "admin-secret"
FORM = "application/x-www-form-urlencoded; charset=utf-8"
DESCRIBE = b"Action=DescribeVpcs&Version=2016-11-15"


@pytest.fixture(scope="module")
def strict() -> Iterator[Server]:
    state = Path(tempfile.mkdtemp(prefix="privlink-strict-"))
    server = Server(
        state,
        extra_args=[
            "--strict-key",
            f"{KEY}:{SECRET}",
            "--strict-key",
            f"{ADMIN}:{ADMIN_SECRET}",
            "--admin-key",
            ADMIN,
        ],
    ).start()
    yield server
    server.stop()


def signed(
    url: str,
    body: bytes,
    service: str = "ec2",
    when: dt.datetime | None = None,
    headers: dict[str, str] | None = None,
    key: str = KEY,
    secret: str = SECRET,
    method: str = "POST",
) -> AWSRequest:
    request = AWSRequest(
        method=method, url=url, data=body, headers={"Content-Type": FORM, **(headers or {})}
    )
    now = when or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        SigV4Auth(Credentials(key, secret), service, "us-east-1").add_auth(request)
    return request


def send(request: AWSRequest, body: bytes | None = None) -> tuple[int, str]:
    raw = urllib.request.Request(
        request.url,
        data=request.body if body is None else body,
        headers=dict(request.headers.items()),
        method=request.method,
    )
    try:
        with urllib.request.urlopen(raw, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def code(text: str) -> str:
    if text.lstrip().startswith("{"):
        data = json.loads(text)
        return str(data.get("__type") or data.get("error"))
    return next(e.text or "" for e in ElementTree.fromstring(text).iter() if e.tag.endswith("Code"))


def test_a_fresh_signature_is_accepted(strict: Any) -> None:
    status, text = send(signed(strict.url, DESCRIBE))
    assert status == 200, text


@pytest.mark.parametrize(
    ("shift", "service", "expected"),
    [
        (dt.timedelta(minutes=-20), "ec2", "RequestExpired"),
        (dt.timedelta(minutes=20), "ec2", "RequestExpired"),
        (dt.datetime(2015, 6, 1) - dt.datetime.now(), "ec2", "RequestExpired"),
        (dt.timedelta(minutes=-20), "sts", "SignatureDoesNotMatch"),
    ],
)
def test_dates_outside_the_window_are_refused(
    strict: Any, shift: dt.timedelta, service: str, expected: str
) -> None:
    when = dt.datetime.now(dt.UTC).replace(tzinfo=None) + shift
    body = DESCRIBE if service == "ec2" else b"Action=GetCallerIdentity&Version=2011-06-15"
    status, text = send(signed(strict.url, body, service=service, when=when))
    assert code(text) == expected and status in (400, 403), text


def test_an_altered_signed_date_is_refused(strict: Any) -> None:
    request = signed(strict.url, DESCRIBE)
    stamp = request.headers["X-Amz-Date"]
    altered = stamp[:-3] + ("00Z" if stamp[-3:] != "00Z" else "01Z")  # same day, other second
    request.headers.replace_header("X-Amz-Date", altered)
    status, text = send(request)
    assert (status, code(text)) == (403, "SignatureDoesNotMatch")


def test_a_swapped_body_under_a_signed_payload_hash_is_refused(strict: Any) -> None:
    digest = hashlib.sha256(DESCRIBE).hexdigest()
    request = signed(strict.url, DESCRIBE, headers={"X-Amz-Content-SHA256": digest})
    status, text = send(request, body=b"Action=DescribeTags&Version=2016-11-15")
    assert status >= 400 and code(text) in ("XAmzContentSHA256Mismatch", "SignatureDoesNotMatch")


def test_an_unsigned_payload_is_only_for_s3(strict: Any) -> None:
    request = signed(strict.url, DESCRIBE, headers={"X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD"})
    status, text = send(request, body=b"Action=DescribeTags&Version=2016-11-15")
    assert (status, code(text)) == (403, "SignatureDoesNotMatch")


def test_a_valid_presigned_url_is_accepted_and_a_tampered_one_refused(strict: Any) -> None:
    ec2 = boto3.client(
        "ec2",
        endpoint_url=strict.url,
        region_name="us-east-1",
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        config=Config(retries={"max_attempts": 1}),
    )
    # HttpMethod="GET": botocore signs query-protocol presigned URLs for POST otherwise.
    url = ec2.generate_presigned_url("describe_vpcs", Params={}, ExpiresIn=60, HttpMethod="GET")
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url.replace("DescribeVpcs", "DescribeTags"), timeout=10)
    assert refused.value.code == 403


def test_missing_and_incomplete_signatures_get_aws_codes(strict: Any) -> None:
    status, text = send(
        AWSRequest(method="POST", url=strict.url, data=DESCRIBE, headers={"Content-Type": FORM})
    )
    assert (status, code(text)) == (403, "MissingAuthenticationToken")
    partial = signed(strict.url, DESCRIBE)
    header = partial.headers["Authorization"]
    partial.headers.replace_header("Authorization", header.split(", Signature=")[0])
    status, text = send(partial)
    assert (status, code(text)) == (403, "IncompleteSignature")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_privlink/status"),
        ("GET", "/_privlink/sns/messages"),
        ("POST", "/_privlink/reset"),
    ],
)
def test_own_routes_need_the_admin_key(strict: Any, method: str, path: str) -> None:
    unsigned = AWSRequest(method=method, url=strict.url + path, data=b"")
    assert send(unsigned)[0] == 403
    as_user = signed(strict.url + path, b"", service="privlink", method=method)
    assert send(as_user)[0] == 403
    if path != "/_privlink/reset":  # the admin may read; a reset here would wipe the module
        as_admin = signed(
            strict.url + path,
            b"",
            service="privlink",
            method=method,
            key=ADMIN,
            secret=ADMIN_SECRET,
        )
        status, text = send(as_admin)
        # Past authentication: status answers; the inbox asks which topic (400, its own).
        assert status == (200 if path.endswith("status") else 400), text
        assert "topic" in text or status == 200


def test_health_stays_open(strict: Any) -> None:
    with urllib.request.urlopen(strict.url + "/_privlink/health", timeout=5) as response:
        assert response.status == 200


def test_s3_uploads_verify_in_strict_mode(strict: Any) -> None:
    def s3(secret: str) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=strict.url,
            region_name="us-east-1",
            aws_access_key_id=KEY,
            aws_secret_access_key=secret,
            config=Config(retries={"max_attempts": 1}, s3={"addressing_style": "path"}),
        )

    good = s3(SECRET)
    good.create_bucket(Bucket="strict-bucket")
    good.put_object(Bucket="strict-bucket", Key="k", Body=b"x" * 70000)
    assert good.get_object(Bucket="strict-bucket", Key="k")["Body"].read() == b"x" * 70000
    with pytest.raises(ClientError) as refused:
        s3("wrong").put_object(Bucket="strict-bucket", Key="k2", Body=b"y")
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
