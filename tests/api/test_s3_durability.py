"""S3 objects survive a clean stop and a SIGKILL; a killed upload leaves nothing behind."""

from __future__ import annotations

import http.client
import signal
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api.test_s3_buckets import error_of, name
from tests.harness import Server, wait_until

MiB = 1024 * 1024


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_objects_survive_restart(fresh_server: Any, sig: int) -> None:
    server: Server = fresh_server()
    account = "310987654321"
    client = server.client("s3", account)
    b = name("durable")
    client.create_bucket(Bucket=b)
    client.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled"})
    v1 = client.put_object(Bucket=b, Key="dags/a.py", Body=b"v1")["VersionId"]
    client.put_object(Bucket=b, Key="dags/a.py", Body=b"v2")
    big = bytes(range(256)) * (24 * 4096)  # 24 MiB: multipart through the transfer manager
    uid = client.create_multipart_upload(Bucket=b, Key="big")["UploadId"]
    parts = [
        {
            "PartNumber": n,
            "ETag": client.upload_part(
                Bucket=b,
                Key="big",
                UploadId=uid,
                PartNumber=n,
                Body=big[(n - 1) * 8 * MiB : n * 8 * MiB],
            )["ETag"],
        }
        for n in (1, 2, 3)
    ]
    client.complete_multipart_upload(
        Bucket=b, Key="big", UploadId=uid, MultipartUpload={"Parts": parts}
    )
    open_upload = client.create_multipart_upload(Bucket=b, Key="pending")["UploadId"]
    before = client.list_object_versions(Bucket=b)

    server.stop(sig)
    server.start()
    client = server.client("s3", account)

    assert client.list_object_versions(Bucket=b)["Versions"] == before["Versions"]
    assert client.get_object(Bucket=b, Key="dags/a.py")["Body"].read() == b"v2"
    assert client.get_object(Bucket=b, Key="dags/a.py", VersionId=v1)["Body"].read() == b"v1"
    assert client.get_object(Bucket=b, Key="big")["Body"].read() == big
    assert client.list_multipart_uploads(Bucket=b)["Uploads"][0]["UploadId"] == open_upload
    server.stop()


def test_killed_upload_leaves_nothing(fresh_server: Any) -> None:
    """SIGKILL in the middle of a PutObject body: no object, and the spooled half is
    removed when privlink starts again."""
    server: Server = fresh_server()
    client = server.client("s3", "123456789012")
    b = name("killed")
    client.create_bucket(Bucket=b)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("PUT", f"/{b}/half", skip_accept_encoding=True)
    conn.putheader("Content-Length", str(64 * MiB))
    conn.putheader(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=123456789012/20250101/us-east-1/s3/aws4_request, "
        "SignedHeaders=host, Signature=00",
    )
    conn.endheaders()
    conn.send(b"x" * (4 * MiB))
    spool = server.state_dir / "spool"
    wait_until(
        lambda: any(p.stat().st_size for p in spool.glob("spool-*")),
        10, 0.05, "the body to be spooled",
    )  # fmt: skip
    server.stop(signal.SIGKILL)
    conn.close()
    server.start()
    assert not list(spool.glob("spool-*"))
    client = server.client("s3", "123456789012")
    with pytest.raises(ClientError) as excinfo:
        client.head_object(Bucket=b, Key="half")
    assert error_of(excinfo)[:2] == ("404", 404)
    assert client.list_objects_v2(Bucket=b)["KeyCount"] == 0
    server.stop()


def test_bodies_no_commit_kept_are_removed_on_restart(fresh_server: Any) -> None:
    """A SIGKILL between renaming a body into place and committing its record leaves a file
    no record names; the next process removes it before its first S3 call, and keeps
    every body a record names."""
    server: Server = fresh_server()
    client = server.client("s3", "123456789012")
    b = name("orphans")
    client.create_bucket(Bucket=b)
    client.put_object(Bucket=b, Key="kept", Body=b"kept")
    uid = client.create_multipart_upload(Bucket=b, Key="open")["UploadId"]
    client.upload_part(Bucket=b, Key="open", UploadId=uid, PartNumber=1, Body=b"part")
    server.stop(signal.SIGKILL)
    bodies = server.state_dir / "s3" / "objects"
    kept = sorted(p.name for p in bodies.glob("*/*"))
    assert len(kept) == 2
    orphan = bodies / "ab" / ("ab" + "0" * 30)  # what an uncommitted PutObject leaves
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"never committed")
    server.start()
    client = server.client("s3", "123456789012")
    assert client.get_object(Bucket=b, Key="kept")["Body"].read() == b"kept"
    assert not orphan.exists()
    assert sorted(p.name for p in bodies.glob("*/*")) == kept
    parts = client.list_parts(Bucket=b, Key="open", UploadId=uid)["Parts"]
    assert [p["Size"] for p in parts] == [4]
    server.stop()
