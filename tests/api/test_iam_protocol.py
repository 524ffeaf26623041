"""IAM over the query protocol through botocore's own serializer and parser, and the trust
question other services ask (`trusts`)."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import quote

import pytest

from privlink import errors
from privlink.services.iam.documents import trusts
from tests.unit.test_protocol_roundtrip import (
    error_roundtrip,
    request_roundtrip,
    response_roundtrip,
)

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def test_create_role_request_round_trip() -> None:
    params = {
        "RoleName": "exec",
        "Path": "/service-role/",
        "AssumeRolePolicyDocument": TRUST,
        "MaxSessionDuration": 7200,
        "Tags": [{"Key": "a", "Value": "b"}, {"Key": "c", "Value": ""}],
    }
    assert request_roundtrip("iam", "CreateRole", params) == params
    untag = {"RoleName": "exec", "TagKeys": ["a", "c"]}
    assert request_roundtrip("iam", "UntagRole", untag) == untag


def test_get_role_and_list_responses_round_trip() -> None:
    created = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    role = {
        "Path": "/",
        "RoleName": "exec",
        "RoleId": "AROA0123456789ABCDEF0",
        "Arn": "arn:aws:iam::123456789012:role/exec",
        "CreateDate": created,
        "AssumeRolePolicyDocument": quote(TRUST, safe=""),
        "MaxSessionDuration": 3600,
        "Tags": [{"Key": "a", "Value": "b"}],
    }
    parsed = response_roundtrip("iam", "GetRole", {"Role": role})
    assert parsed["Role"]["CreateDate"] == created
    assert parsed["Role"]["AssumeRolePolicyDocument"] == quote(TRUST, safe="")
    assert parsed["Role"]["Tags"] == [{"Key": "a", "Value": "b"}]
    listed = {"PolicyNames": ["a", "b"], "IsTruncated": True, "Marker": "bQ=="}
    assert response_roundtrip("iam", "ListRolePolicies", listed) == listed


@pytest.mark.parametrize(
    ("error", "code", "status"),
    [
        (errors.NoSuchRole("x"), "NoSuchEntity", 404),
        (
            errors.DeleteConflict("Cannot delete entity, must delete policies first."),
            "DeleteConflict",
            409,
        ),
        (
            errors.MalformedPolicyDocument("Syntax errors in policy."),
            "MalformedPolicyDocument",
            400,
        ),
    ],
)
def test_errors_round_trip(error: errors.AwsError, code: str, status: int) -> None:
    parsed = error_roundtrip("iam", error)
    assert (parsed["Code"], parsed["Message"], parsed["status"]) == (code, error.message, status)
    assert parsed["Type"] == "Sender"


def test_trusts_reads_the_trust_policy() -> None:
    assert trusts(TRUST, "airflow-env.amazonaws.com")
    assert not trusts(TRUST, "ec2.amazonaws.com")
    anyone = json.dumps(
        {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}]}
    )
    assert trusts(anyone, "ec2.amazonaws.com")
    denied = json.dumps(
        {
            "Statement": [
                *json.loads(TRUST)["Statement"],
                {
                    "Effect": "Deny",
                    "Principal": {"Service": "airflow-env.amazonaws.com"},
                    "Action": "sts:*",
                },
            ]
        }
    )
    assert not trusts(denied, "airflow-env.amazonaws.com")
    web_identity_only = json.dumps(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "airflow-env.amazonaws.com"},
                    "Action": "sts:TagSession",
                }
            ]
        }
    )
    assert not trusts(web_identity_only, "airflow-env.amazonaws.com")
