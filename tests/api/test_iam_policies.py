"""IAM managed policies, attachments and service-linked roles, through boto3 and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.test_iam import S3_READ, TRUST, error, make_role
from tests.harness import Server

AWS_S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
MWAA_CONSOLE = "arn:aws:iam::aws:policy/AmazonMWAAFullConsoleAccess"


@pytest.fixture
def iam(server: Server, account: str) -> Any:
    return server.client("iam", account)


def make_policy(iam: Any, name: str = "read", **kwargs: Any) -> dict[str, Any]:
    return dict(
        iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(S3_READ), **kwargs)["Policy"]
    )


def test_create_and_get_customer_policy(iam: Any, account: str) -> None:
    created = make_policy(iam, "bucket-read", Path="/team/", Description="reads buckets")
    assert created["Arn"] == f"arn:aws:iam::{account}:policy/team/bucket-read"
    assert created["PolicyId"].startswith("ANPA") and len(created["PolicyId"]) == 21
    assert (created["DefaultVersionId"], created["AttachmentCount"]) == ("v1", 0)
    assert created["IsAttachable"] is True
    got = iam.get_policy(PolicyArn=created["Arn"])["Policy"]
    assert (got["PolicyName"], got["Description"], got["Path"]) == (
        "bucket-read",
        "reads buckets",
        "/team/",
    )
    version = iam.get_policy_version(PolicyArn=created["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == S3_READ and version["IsDefaultVersion"] is True
    assert error(lambda: make_policy(iam, "bucket-read")) == (
        "EntityAlreadyExists",
        409,
        "A policy called bucket-read already exists. Duplicate names are not allowed.",
    )


def test_missing_and_malformed_policies(iam: Any, account: str) -> None:
    arn = f"arn:aws:iam::{account}:policy/nothing"
    assert error(lambda: iam.get_policy(PolicyArn=arn)) == (
        "NoSuchEntity",
        404,
        f"Policy {arn} does not exist or is not attachable.",
    )
    code, status, _ = error(
        lambda: iam.create_policy(PolicyName="bad", PolicyDocument=json.dumps(TRUST))
    )
    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert error(lambda: iam.get_policy(PolicyArn="not-an-arn-at-all-really"))[:2] == (
        "InvalidInput",
        400,
    )


def test_policy_versions(iam: Any) -> None:
    arn = make_policy(iam, "versioned")["Arn"]
    wider = {**S3_READ, "Statement": [{**S3_READ["Statement"][0], "Action": "s3:*"}]}
    v2 = iam.create_policy_version(
        PolicyArn=arn, PolicyDocument=json.dumps(wider), SetAsDefault=True
    )["PolicyVersion"]
    assert (v2["VersionId"], v2["IsDefaultVersion"]) == ("v2", True)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == (
        wider
    )
    listed = iam.list_policy_versions(PolicyArn=arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in listed] == [
        ("v2", True),
        ("v1", False),
    ]
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(S3_READ))
    code, status, message = error(
        lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(S3_READ))
    )
    assert (code, status) == ("LimitExceeded", 409) and "up to 5 versions" in message
    assert error(lambda: iam.delete_policy_version(PolicyArn=arn, VersionId="v2")) == (
        "DeleteConflict",
        409,
        "Cannot delete the default version of a policy.",
    )
    assert error(lambda: iam.get_policy_version(PolicyArn=arn, VersionId="v9"))[:2] == (
        "NoSuchEntity",
        404,
    )
    code, _, message = error(lambda: iam.delete_policy(PolicyArn=arn))
    assert code == "DeleteConflict" and "more than one version" in message
    for version in ("v1", "v3", "v4", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=version)
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)
    assert error(lambda: iam.get_policy(PolicyArn=arn))[0] == "NoSuchEntity"


def test_aws_managed_policies(iam: Any) -> None:
    policy = iam.get_policy(PolicyArn=MWAA_CONSOLE)["Policy"]
    assert policy["PolicyName"] == "AmazonMWAAFullConsoleAccess" and policy["Path"] == "/"
    document = iam.get_policy_version(PolicyArn=AWS_S3_READ, VersionId="v1")["PolicyVersion"]
    assert "s3:Get*" in document["Document"]["Statement"][0]["Action"]
    unknown = "arn:aws:iam::aws:policy/SomethingPrivlinkDoesNotKnow"
    assert error(lambda: iam.get_policy(PolicyArn=unknown))[:2] == ("NoSuchEntity", 404)
    listed = iam.list_policies(Scope="AWS", MaxItems=1000)["Policies"]
    names = {p["PolicyName"] for p in listed}
    assert {
        "AmazonS3ReadOnlyAccess",
        "CloudWatchLogsFullAccess",
        "AmazonSSMManagedInstanceCore",
    } <= names


def test_attach_detach_and_list(iam: Any, account: str) -> None:
    make_role(iam, "worker")
    mine = make_policy(iam, "mine")["Arn"]
    unknown_aws = "arn:aws:iam::aws:policy/service-role/SomeFutureServicePolicy"
    for arn in (mine, AWS_S3_READ, unknown_aws):
        iam.attach_role_policy(RoleName="worker", PolicyArn=arn)
    iam.attach_role_policy(RoleName="worker", PolicyArn=mine)  # twice is once
    attached = iam.list_attached_role_policies(RoleName="worker")["AttachedPolicies"]
    assert attached == [
        {"PolicyName": "mine", "PolicyArn": mine},
        {"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": AWS_S3_READ},
        {"PolicyName": "SomeFutureServicePolicy", "PolicyArn": unknown_aws},
    ]
    only = iam.list_attached_role_policies(RoleName="worker", PathPrefix="/service-role/")
    assert [p["PolicyArn"] for p in only["AttachedPolicies"]] == [unknown_aws]
    assert iam.get_policy(PolicyArn=mine)["Policy"]["AttachmentCount"] == 1
    assert iam.get_policy(PolicyArn=AWS_S3_READ)["Policy"]["AttachmentCount"] == 1
    local = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in local] == [mine]
    assert error(lambda: iam.delete_policy(PolicyArn=mine)) == (
        "DeleteConflict",
        409,
        "Cannot delete a policy attached to entities.",
    )
    iam.detach_role_policy(RoleName="worker", PolicyArn=mine)
    assert error(lambda: iam.detach_role_policy(RoleName="worker", PolicyArn=mine)) == (
        "NoSuchEntity",
        404,
        f"Policy {mine} was not found.",
    )
    iam.delete_policy(PolicyArn=mine)


def test_attach_errors(iam: Any, account: str) -> None:
    make_role(iam, "picky")
    missing = f"arn:aws:iam::{account}:policy/missing"
    assert error(lambda: iam.attach_role_policy(RoleName="picky", PolicyArn=missing)) == (
        "NoSuchEntity",
        404,
        f"Policy {missing} does not exist or is not attachable.",
    )
    bad = "arn:aws:s3:::not-a-policy-arn"
    assert error(lambda: iam.attach_role_policy(RoleName="picky", PolicyArn=bad)) == (
        "InvalidInput",
        400,
        f"ARN {bad} is not valid.",
    )
    assert error(lambda: iam.attach_role_policy(RoleName="ghost", PolicyArn=AWS_S3_READ))[:2] == (
        "NoSuchEntity",
        404,
    )
    for i in range(10):
        iam.attach_role_policy(RoleName="picky", PolicyArn=f"arn:aws:iam::aws:policy/P{i}")
    assert error(lambda: iam.attach_role_policy(RoleName="picky", PolicyArn=AWS_S3_READ)) == (
        "LimitExceeded",
        409,
        "Cannot exceed quota for PoliciesPerRole: 10",
    )


def test_policy_tags(iam: Any) -> None:
    arn = make_policy(iam, "tagged", Tags=[{"Key": "a", "Value": "1"}])["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}])
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "a", "Value": "1"},
        {"Key": "b", "Value": "2"},
    ]
    iam.untag_policy(PolicyArn=arn, TagKeys=["a"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "b", "Value": "2"}]


def test_service_linked_role_for_mwaa(iam: Any, account: str) -> None:
    role = iam.create_service_linked_role(AWSServiceName="airflow.amazonaws.com")["Role"]
    name = "AWSServiceRoleForAmazonMWAA"
    assert role["RoleName"] == name
    assert role["Path"] == "/aws-service-role/airflow.amazonaws.com/"
    assert (
        role["Arn"] == f"arn:aws:iam::{account}:role/aws-service-role/airflow.amazonaws.com/{name}"
    )
    principal = role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
    assert principal == {"Service": "airflow.amazonaws.com"}
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AmazonMWAAServiceRolePolicy"]
    assert error(
        lambda: iam.create_service_linked_role(AWSServiceName="airflow.amazonaws.com")
    ) == (
        "InvalidInput",
        400,
        f"Service role name {name} has been taken in this account, please try a different suffix.",
    )
    protected = (
        f"Cannot perform the operation on the protected role '{name}' - this role is only "
        "modifiable by AWS"
    )
    assert error(lambda: iam.delete_role(RoleName=name)) == ("UnmodifiableEntity", 400, protected)
    detach = lambda: iam.detach_role_policy(RoleName=name, PolicyArn=attached[0]["PolicyArn"])  # noqa: E731
    assert error(detach)[0] == "UnmodifiableEntity"
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert task.startswith(f"task/aws-service-role/airflow.amazonaws.com/{name}/")
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"]
    assert status == "SUCCEEDED"
    assert error(lambda: iam.get_role(RoleName=name))[0] == "NoSuchEntity"
    assert error(lambda: iam.create_service_linked_role(AWSServiceName="nothing.example.com"))[
        :2
    ] == ("InvalidInput", 400)


def test_cli_execution_role_walkthrough(server: Server, account: str, tmp_path: Path) -> None:
    """What a user types before creating an MWAA environment."""
    trust = tmp_path / "trust.json"
    trust.write_text(json.dumps(TRUST))
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps(S3_READ))

    def aws(*args: str) -> Any:
        out = server.aws("iam", *args, account=account).stdout
        return json.loads(out) if out.strip() else None

    created = aws(
        "create-role",
        "--role-name",
        "mwaa-exec",
        "--path",
        "/service-role/",
        "--assume-role-policy-document",
        f"file://{trust}",
    )
    assert created["Role"]["AssumeRolePolicyDocument"] == TRUST
    aws(
        "put-role-policy",
        "--role-name",
        "mwaa-exec",
        "--policy-name",
        "s3",
        "--policy-document",
        f"file://{policy}",
    )
    aws("attach-role-policy", "--role-name", "mwaa-exec", "--policy-arn", MWAA_CONSOLE)
    got = aws("get-role", "--role-name", "mwaa-exec")["Role"]
    assert got["Arn"] == f"arn:aws:iam::{account}:role/service-role/mwaa-exec"
    assert aws("list-role-policies", "--role-name", "mwaa-exec")["PolicyNames"] == ["s3"]
    assert (
        aws("get-role-policy", "--role-name", "mwaa-exec", "--policy-name", "s3")["PolicyDocument"]
        == S3_READ
    )
    attached = aws("list-attached-role-policies", "--role-name", "mwaa-exec")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonMWAAFullConsoleAccess", "PolicyArn": MWAA_CONSOLE}]
    names = [r["RoleName"] for r in aws("list-roles")["Roles"]]
    assert names == ["mwaa-exec"]
    failed = server.aws(
        "iam", "delete-role", "--role-name", "mwaa-exec", account=account, check=False
    )
    assert failed.returncode != 0 and "DeleteConflict" in failed.stderr
    aws("detach-role-policy", "--role-name", "mwaa-exec", "--policy-arn", MWAA_CONSOLE)
    aws("delete-role-policy", "--role-name", "mwaa-exec", "--policy-name", "s3")
    aws("delete-role", "--role-name", "mwaa-exec")
    missing = server.aws(
        "iam", "get-role", "--role-name", "mwaa-exec", account=account, check=False
    )
    assert "NoSuchEntity" in missing.stderr
    linked = aws("create-service-linked-role", "--aws-service-name", "airflow.amazonaws.com")
    assert linked["Role"]["RoleName"] == "AWSServiceRoleForAmazonMWAA"
