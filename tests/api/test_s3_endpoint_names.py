"""S3 under the names of its VPC endpoints, certificates for every name privlink serves,
and aws:SourceVpce policies (stored and returned, as AWS does; privlink does not enforce).

An S3 interface endpoint's names are *.vpce-ID-TOKEN.s3.REGION.vpce.amazonaws.com; AWS's
docs give SDKs https://bucket.vpce-ID-TOKEN.s3.REGION.vpce.amazonaws.com as endpoint URL,
from which botocore builds BUCKET.bucket.vpce-... (virtual host) or bucket.vpce-.../BUCKET
(path style). Here botocore builds those URLs itself; a hook then sends each request to
privlink's HTTP port with the Host header botocore meant (no resolver involved).
"""

from __future__ import annotations

import json
import secrets
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config
from cryptography import x509

from tests.harness import Server

ENDPOINT = "vpce-0a1b2c3d4e5f60718-abcdefgh.s3.us-east-1.vpce.amazonaws.com"


def s3_through(server: Server, account: str, endpoint_url: str, style: str) -> Any:
    """An S3 client configured with `endpoint_url` whose requests reach `server`."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, s3={"addressing_style": style}),
    )

    def to_server(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.url = server.url + parts.path + (f"?{parts.query}" if parts.query else "")

    client.meta.events.register("before-send.s3", to_server)
    return client


def bucket_name() -> str:
    return f"plk-vpce-{secrets.token_hex(5)}"


@pytest.mark.parametrize("style", ["virtual", "path"])
def test_s3_answers_under_its_interface_endpoint_names(
    server: Server, account: str, style: str
) -> None:
    sent: list[str] = []
    client = s3_through(server, account, f"https://bucket.{ENDPOINT}", style)
    client.meta.events.register(
        "before-send.s3", lambda request, **_: sent.append(request.headers["Host"])
    )
    bucket = bucket_name()
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="dags/a.py", Body=b"print(1)\n")
    assert client.get_object(Bucket=bucket, Key="dags/a.py")["Body"].read() == b"print(1)\n"
    listed = client.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == ["dags/a.py"]
    expected = f"{bucket}.bucket.{ENDPOINT}" if style == "virtual" else f"bucket.{ENDPOINT}"
    assert set(sent) == {expected}
    # The same bucket, seen through the ordinary endpoint: one S3.
    plain = server.client("s3", account)
    assert plain.head_object(Bucket=bucket, Key="dags/a.py")["ContentLength"] == 9


def test_bare_endpoint_name_is_path_style(server: Server, account: str) -> None:
    bucket = bucket_name()
    server.client("s3", account).create_bucket(Bucket=bucket)
    zonal = ENDPOINT.replace("-abcdefgh.", "-abcdefgh-us-east-1a.")
    client = s3_through(server, account, f"https://{zonal}", "path")
    client.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]
    missing = s3_through(server, account, f"https://bucket.{ENDPOINT}", "virtual")
    with pytest.raises(missing.exceptions.NoSuchBucket):
        missing.list_objects_v2(Bucket=bucket_name())


def served_certificate(server: Server, name: str) -> x509.Certificate:
    """The certificate privlink's HTTPS listener shows for SNI `name`, verified against
    privlink's CA for that name (ssl.SSLCertVerificationError when it does not cover it)."""
    context = ssl.create_default_context(cafile=str(server.state_dir / "tls" / "ca.pem"))
    with socket.create_connection(("127.0.0.1", server.https_port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=name) as tls:
            der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def sans(cert: x509.Certificate) -> list[str]:
    found = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return found.get_values_for_type(x509.DNSName)


@pytest.mark.parametrize(
    "name",
    [
        f"my-bucket.bucket.{ENDPOINT}",  # two labels under the endpoint's wildcard
        "s3.amazonaws.com",
        "dotted.bucket.name.s3.us-east-1.amazonaws.com",
    ],
)
def test_https_listener_mints_a_certificate_for_deeper_names(server: Server, name: str) -> None:
    cert = served_certificate(server, name)
    assert sans(cert) == [name]
    assert served_certificate(server, name).serial_number == cert.serial_number  # kept


def test_https_listener_keeps_its_certificate_where_it_covers_and_mints_nothing_foreign(
    server: Server,
) -> None:
    covered = served_certificate(server, "ec2.us-east-1.amazonaws.com")
    assert "*.us-east-1.amazonaws.com" in sans(covered)
    assert "*.s3.us-east-1.vpce.amazonaws.com" in sans(covered)
    for foreign in ("example.com", "amazonaws.com.example.net", "evil-amazonaws.com"):
        with pytest.raises(ssl.SSLCertVerificationError):
            served_certificate(server, foreign)


def source_vpce_policy(resource: str, endpoint_id: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "s3:*",
                    "Resource": [resource, f"{resource}/*"],
                    "Condition": {"StringNotEquals": {"aws:SourceVpce": endpoint_id}},
                }
            ],
        }
    )


def test_source_vpce_policies_are_stored_and_returned(server: Server, account: str) -> None:
    ec2 = server.client("ec2", account)
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    bucket = bucket_name()
    endpoint_policy = source_vpce_policy(f"arn:aws:s3:::{bucket}", "vpce-0123456789abcdef0")
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName="com.amazonaws.us-east-1.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[table],
        PolicyDocument=endpoint_policy,
    )["VpcEndpoint"]
    assert json.loads(endpoint["PolicyDocument"]) == json.loads(endpoint_policy)
    described = ec2.describe_vpc_endpoints(VpcEndpointIds=[endpoint["VpcEndpointId"]])
    assert json.loads(described["VpcEndpoints"][0]["PolicyDocument"]) == json.loads(endpoint_policy)
    routes = ec2.describe_route_tables(RouteTableIds=[table])["RouteTables"][0]["Routes"]
    assert {"DestinationPrefixListId": "pl-63a5400a"}.items() <= next(
        r for r in routes if r.get("GatewayId") == endpoint["VpcEndpointId"]
    ).items()

    s3 = server.client("s3", account)
    s3.create_bucket(Bucket=bucket)
    bucket_policy = source_vpce_policy(f"arn:aws:s3:::{bucket}", endpoint["VpcEndpointId"])
    s3.put_bucket_policy(Bucket=bucket, Policy=bucket_policy)
    stored = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    condition = stored["Statement"][0]["Condition"]
    assert condition == {"StringNotEquals": {"aws:SourceVpce": endpoint["VpcEndpointId"]}}
    # Stored, not enforced: this request comes from no endpoint at all and still works.
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
