"""IAM black-box through boto3: roles, trust policies, inline policies, tags, paging."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.harness import Server

TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
S3_READ = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def error(call: Callable[[], Any]) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return (
        str(response["Error"]["Code"]),
        int(response["ResponseMetadata"]["HTTPStatusCode"]),
        str(response["Error"]["Message"]),
    )


@pytest.fixture
def iam(server: Server, account: str) -> Any:
    return server.client("iam", account)


@pytest.fixture
def unchecked(server: Server, account: str) -> Any:
    """A client that sends what botocore would refuse, to see the server's own answer."""
    return boto3.client(
        "iam",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=account,
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}, parameter_validation=False),
    )


def make_role(iam: Any, name: str = "exec", **kwargs: Any) -> dict[str, Any]:
    return dict(
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST), **kwargs)["Role"]
    )


def test_create_and_get_role_shapes(iam: Any, account: str) -> None:
    created = make_role(iam, "mwaa-exec", Path="/service-role/", Description="for MWAA")
    assert created["Arn"] == f"arn:aws:iam::{account}:role/service-role/mwaa-exec"
    assert created["RoleId"].startswith("AROA") and len(created["RoleId"]) == 21
    assert created["Path"] == "/service-role/"
    assert created["AssumeRolePolicyDocument"] == TRUST
    role = iam.get_role(RoleName="mwaa-exec")["Role"]
    assert role["RoleId"] == created["RoleId"]
    assert role["Description"] == "for MWAA"
    assert role["MaxSessionDuration"] == 3600
    assert role["CreateDate"] == created["CreateDate"]
    assert role["AssumeRolePolicyDocument"] == TRUST


def test_trust_policy_is_url_encoded_on_the_wire(iam: Any) -> None:
    make_role(iam, "encoded")
    bodies: list[bytes] = []
    iam.meta.events.register(
        "before-parse.iam.GetRole", lambda response_dict, **_: bodies.append(response_dict["body"])
    )
    iam.get_role(RoleName="encoded")
    text = bodies[0].decode()
    start = text.index("<AssumeRolePolicyDocument>") + len("<AssumeRolePolicyDocument>")
    raw = text[start : text.index("</AssumeRolePolicyDocument>")]
    assert raw.startswith("%7B%22Version%22")
    assert json.loads(unquote(raw)) == TRUST


def test_roles_are_global_and_per_account(server: Server, account: str) -> None:
    make_role(server.client("iam", account, region="us-east-1"), "everywhere")
    elsewhere = server.client("iam", account, region="eu-west-1")
    assert elsewhere.get_role(RoleName="everywhere")["Role"]["RoleName"] == "everywhere"
    assert error(lambda: make_role(elsewhere, "EVERYWHERE"))[:2] == ("EntityAlreadyExists", 409)
    other = server.client("iam", str(int(account) + 1))
    assert error(lambda: other.get_role(RoleName="everywhere")) == (
        "NoSuchEntity",
        404,
        "The role with name everywhere cannot be found.",
    )


def test_duplicate_role_name_is_entity_already_exists(iam: Any) -> None:
    make_role(iam, "twice")
    assert error(lambda: make_role(iam, "twice")) == (
        "EntityAlreadyExists",
        409,
        "Role with name twice already exists.",
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "This policy contains invalid Json"),
        (
            '{"Version":"2012-10-17","Statement":[]}',
            "Could not parse the policy: Statement is empty!",
        ),
        (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}',
            "Missing required field Principal",
        ),
        (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":'
            '"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}',
            "Has prohibited field Resource",
        ),
        (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":'
            '"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}',
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
        (
            '{"Version":"2001-01-01","Statement":[{"Effect":"Allow","Principal":"*",'
            '"Action":"sts:AssumeRole"}]}',
            "The policy must contain a valid version string",
        ),
    ],
)
def test_malformed_trust_policies(iam: Any, document: str, message: str) -> None:
    call = lambda: iam.create_role(RoleName="bad", AssumeRolePolicyDocument=document)  # noqa: E731
    assert error(call) == ("MalformedPolicyDocument", 400, message)
    assert error(lambda: iam.get_role(RoleName="bad"))[0] == "NoSuchEntity"


def test_invalid_role_names_and_paths(iam: Any, unchecked: Any) -> None:
    trust = json.dumps(TRUST)
    code, status, message = error(
        lambda: iam.create_role(RoleName="bad/name", AssumeRolePolicyDocument=trust)
    )
    assert (code, status) == ("ValidationError", 400)
    assert "It must contain only alphanumeric characters" in message
    code, _, message = error(
        lambda: iam.create_role(RoleName="a" * 65, AssumeRolePolicyDocument=trust)
    )
    assert code == "ValidationError" and "less than or equal to 64" in message
    code, _, message = error(
        lambda: iam.create_role(RoleName="p", Path="nopath", AssumeRolePolicyDocument=trust)
    )
    assert code == "ValidationError" and "must begin and end with /" in message
    code, _, message = error(
        lambda: unchecked.create_role(
            RoleName="d", AssumeRolePolicyDocument=trust, MaxSessionDuration=60
        )
    )
    assert code == "ValidationError" and "greater than or equal to 3600" in message


def test_list_roles_pages_and_filters_by_path(iam: Any, unchecked: Any) -> None:
    for name in ("r-c", "r-a", "r-b"):
        make_role(iam, name)
    make_role(iam, "r-svc", Path="/service-role/")
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["r-a", "r-b"]
    assert first["IsTruncated"] is True
    rest = iam.list_roles(MaxItems=2, Marker=first["Marker"])
    assert [r["RoleName"] for r in rest["Roles"]] == ["r-c", "r-svc"]
    assert rest["IsTruncated"] is False and "Marker" not in rest
    assert "Tags" not in first["Roles"][0]
    only = iam.list_roles(PathPrefix="/service-role/")["Roles"]
    assert [r["RoleName"] for r in only] == ["r-svc"]
    everything = [
        r["RoleName"]
        for r in iam.get_paginator("list_roles").paginate().build_full_result()["Roles"]
    ]
    assert everything == ["r-a", "r-b", "r-c", "r-svc"]
    code, _, message = error(lambda: unchecked.list_roles(MaxItems=0))
    assert code == "ValidationError" and "greater than or equal to 1" in message


def test_delete_role(iam: Any) -> None:
    make_role(iam, "short-lived")
    iam.delete_role(RoleName="short-lived")
    assert error(lambda: iam.get_role(RoleName="short-lived"))[0] == "NoSuchEntity"
    assert error(lambda: iam.delete_role(RoleName="short-lived")) == (
        "NoSuchEntity",
        404,
        "The role with name short-lived cannot be found.",
    )


def test_delete_role_conflicts_while_policies_remain(iam: Any) -> None:
    make_role(iam, "busy")
    iam.put_role_policy(RoleName="busy", PolicyName="read", PolicyDocument=json.dumps(S3_READ))
    assert error(lambda: iam.delete_role(RoleName="busy")) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must delete policies first.",
    )
    iam.delete_role_policy(RoleName="busy", PolicyName="read")
    arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
    iam.attach_role_policy(RoleName="busy", PolicyArn=arn)
    assert error(lambda: iam.delete_role(RoleName="busy")) == (
        "DeleteConflict",
        409,
        "Cannot delete entity, must detach all policies first.",
    )
    iam.detach_role_policy(RoleName="busy", PolicyArn=arn)
    iam.delete_role(RoleName="busy")


def test_update_assume_role_policy(iam: Any) -> None:
    make_role(iam, "retrust")
    ec2_only = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ec2.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.update_assume_role_policy(RoleName="retrust", PolicyDocument=json.dumps(ec2_only))
    assert iam.get_role(RoleName="retrust")["Role"]["AssumeRolePolicyDocument"] == ec2_only
    code, status, _ = error(
        lambda: iam.update_assume_role_policy(RoleName="retrust", PolicyDocument="[]")
    )
    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert (
        error(
            lambda: iam.update_assume_role_policy(
                RoleName="ghost", PolicyDocument=json.dumps(TRUST)
            )
        )[0]
        == "NoSuchEntity"
    )


def test_update_role_description_and_duration(iam: Any) -> None:
    make_role(iam, "tunable")
    iam.update_role(RoleName="tunable", Description="new", MaxSessionDuration=7200)
    role = iam.get_role(RoleName="tunable")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("new", 7200)


def test_inline_policies(iam: Any) -> None:
    make_role(iam, "inline")
    iam.put_role_policy(RoleName="inline", PolicyName="b", PolicyDocument=json.dumps(S3_READ))
    iam.put_role_policy(RoleName="inline", PolicyName="a", PolicyDocument=json.dumps(S3_READ))
    got = iam.get_role_policy(RoleName="inline", PolicyName="b")
    assert (got["RoleName"], got["PolicyName"], got["PolicyDocument"]) == ("inline", "b", S3_READ)
    assert iam.list_role_policies(RoleName="inline")["PolicyNames"] == ["a", "b"]
    replaced = {**S3_READ, "Statement": [{**S3_READ["Statement"][0], "Effect": "Deny"}]}
    iam.put_role_policy(RoleName="inline", PolicyName="b", PolicyDocument=json.dumps(replaced))
    assert iam.get_role_policy(RoleName="inline", PolicyName="b")["PolicyDocument"] == replaced
    iam.delete_role_policy(RoleName="inline", PolicyName="b")
    assert iam.list_role_policies(RoleName="inline")["PolicyNames"] == ["a"]
    assert error(lambda: iam.get_role_policy(RoleName="inline", PolicyName="b")) == (
        "NoSuchEntity",
        404,
        "The role policy with name b cannot be found.",
    )
    assert error(lambda: iam.delete_role_policy(RoleName="inline", PolicyName="b"))[0] == (
        "NoSuchEntity"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ("{not json", "Syntax errors in policy."),
        (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",'
            '"Action":"s3:GetObject","Resource":"*"}]}',
            "Policy document should not specify a principal.",
        ),
        (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}',
            "Policy statement must contain resources.",
        ),
        (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}',
            "Policy statement must contain actions.",
        ),
        (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}',
            "Syntax errors in policy.",
        ),
    ],
)
def test_malformed_inline_policies(iam: Any, document: str, message: str) -> None:
    make_role(iam, "strict")
    call = lambda: iam.put_role_policy(  # noqa: E731
        RoleName="strict", PolicyName="p", PolicyDocument=document
    )
    assert error(call) == ("MalformedPolicyDocument", 400, message)


def test_inline_policy_on_missing_role_is_no_such_entity_first(iam: Any) -> None:
    call = lambda: iam.put_role_policy(  # noqa: E731
        RoleName="ghost", PolicyName="p", PolicyDocument="{not json"
    )
    assert error(call) == ("NoSuchEntity", 404, "The role with name ghost cannot be found.")


def test_inline_policies_share_a_size_quota(iam: Any) -> None:
    make_role(iam, "quota")
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "x" * 6000, "Effect": "Allow", "Action": "s3:*", "Resource": "*"}
            ],
        }
    )
    iam.put_role_policy(RoleName="quota", PolicyName="one", PolicyDocument=big)
    iam.put_role_policy(RoleName="quota", PolicyName="one", PolicyDocument=big)  # replace is fine
    assert error(
        lambda: iam.put_role_policy(RoleName="quota", PolicyName="two", PolicyDocument=big)
    ) == (
        "LimitExceeded",
        409,
        "Maximum policy size of 10240 bytes exceeded for role quota",
    )


def test_role_tags(iam: Any) -> None:
    make_role(iam, "tagged", Tags=[{"Key": "team", "Value": "data"}])
    assert iam.get_role(RoleName="tagged")["Role"]["Tags"] == [{"Key": "team", "Value": "data"}]
    iam.tag_role(
        RoleName="tagged", Tags=[{"Key": "env", "Value": "dev"}, {"Key": "TEAM", "Value": "ops"}]
    )
    tags = iam.list_role_tags(RoleName="tagged")
    assert tags["Tags"] == [{"Key": "env", "Value": "dev"}, {"Key": "TEAM", "Value": "ops"}]
    assert tags["IsTruncated"] is False
    iam.untag_role(RoleName="tagged", TagKeys=["env"])
    assert iam.list_role_tags(RoleName="tagged")["Tags"] == [{"Key": "TEAM", "Value": "ops"}]
    duplicate = [{"Key": "a", "Value": "1"}, {"Key": "A", "Value": "2"}]
    assert error(lambda: iam.tag_role(RoleName="tagged", Tags=duplicate)) == (
        "InvalidInput",
        400,
        "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    )
    many = [{"Key": f"k{i}", "Value": "v"} for i in range(50)]
    assert error(lambda: iam.tag_role(RoleName="tagged", Tags=many))[:2] == ("LimitExceeded", 409)
    assert error(lambda: iam.list_role_tags(RoleName="ghost"))[0] == "NoSuchEntity"
