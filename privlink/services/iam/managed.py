"""AWS managed policies: a catalogue of the ones users name, and the rule for the rest.

Any well-formed `arn:aws:iam::aws:policy/...` ARN may be attached (users
reference hundreds of them, and IAM would know them all); GetPolicy,
GetPolicyVersion and ListPolicies(Scope=AWS) answer for the catalogue below.
The documents are short summaries of AWS's, enough to read back; they are
not enforced (no policy is).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

ARN = re.compile(
    r"^arn:aws:iam::aws:policy(?P<path>/(?:[\w.,+@=-]+/)*)(?P<name>[\w+=,.@-]{1,128})$"
)
CREATED = "2015-02-06T18:40:00Z"


@dataclass(frozen=True)
class AwsManagedPolicy:
    name: str
    path: str
    description: str
    actions: tuple[str, ...]
    version: str = "v1"
    updated: str = CREATED

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def policy_id(self) -> str:
        digest = hashlib.sha256(self.arn.encode()).hexdigest().upper()
        return "ANPA" + digest[:17]

    @property
    def document(self) -> str:
        statement = {"Effect": "Allow", "Action": list(self.actions), "Resource": "*"}
        return json.dumps({"Version": "2012-10-17", "Statement": [statement]}, indent=4)


def _p(name: str, description: str, *actions: str, path: str = "/") -> AwsManagedPolicy:
    return AwsManagedPolicy(name, path, description, actions)


CATALOGUE = {
    p.arn: p
    for p in (
        _p("AdministratorAccess", "Provides full access to AWS services and resources.", "*"),
        _p(
            "ReadOnlyAccess",
            "Provides read-only access to AWS services and resources.",
            "*:Get*",
            "*:List*",
            "*:Describe*",
        ),
        _p(
            "AmazonMWAAFullConsoleAccess",
            "Provides full access to Amazon Managed Workflows for "
            "Apache Airflow (MWAA) and its console.",
            "airflow:*",
            "ec2:Describe*",
            "iam:ListRoles",
            "iam:CreateServiceLinkedRole",
            "s3:ListAllMyBuckets",
            "s3:GetBucketLocation",
            "logs:DescribeLogGroups",
            "kms:ListAliases",
        ),
        _p(
            "AmazonMWAAReadOnlyAccess",
            "Provides read-only access to Amazon MWAA.",
            "airflow:ListEnvironments",
            "airflow:GetEnvironment",
            "airflow:ListTagsForResource",
        ),
        _p(
            "AmazonMWAAWebServerAccess",
            "Provides access to the Apache Airflow UI of MWAA " "environments.",
            "airflow:CreateWebLoginToken",
        ),
        _p(
            "AmazonMWAAServiceRolePolicy",
            "Allows Amazon MWAA to manage AWS resources on your " "behalf.",
            "logs:CreateLogStream",
            "logs:CreateLogGroup",
            "logs:DescribeLogGroups",
            "ec2:CreateNetworkInterface",
            "ec2:DescribeNetworkInterfaces",
            "ec2:CreateVpcEndpoint",
            "cloudwatch:PutMetricData",
            path="/aws-service-role/",
        ),
        _p(
            "AmazonS3ReadOnlyAccess",
            "Provides read only access to all buckets via the AWS " "Management Console.",
            "s3:Get*",
            "s3:List*",
            "s3:Describe*",
            "s3-object-lambda:Get*",
            "s3-object-lambda:List*",
        ),
        _p(
            "AmazonS3FullAccess",
            "Provides full access to all buckets via the AWS Management " "Console.",
            "s3:*",
            "s3-object-lambda:*",
        ),
        _p(
            "CloudWatchLogsFullAccess",
            "Provides full access to CloudWatch Logs",
            "logs:*",
            "cloudwatch:GenerateQuery",
        ),
        _p(
            "CloudWatchLogsReadOnlyAccess",
            "Provides read only access to CloudWatch Logs",
            "logs:Describe*",
            "logs:Get*",
            "logs:List*",
            "logs:StartQuery",
            "logs:FilterLogEvents",
            "logs:TestMetricFilter",
        ),
        _p(
            "AmazonSSMManagedInstanceCore",
            "The policy for Amazon EC2 Role to enable AWS Systems "
            "Manager service core functionality.",
            "ssm:UpdateInstanceInformation",
            "ssmmessages:*",
            "ec2messages:*",
            "ssm:GetParameters",
        ),
        _p(
            "AmazonEC2ReadOnlyAccess",
            "Provides read only access to Amazon EC2 via the AWS " "Management Console.",
            "ec2:Describe*",
            "elasticloadbalancing:Describe*",
        ),
        _p(
            "AmazonVPCFullAccess",
            "Provides full access to Amazon VPC via the AWS Management " "Console.",
            "ec2:*Vpc*",
            "ec2:*Subnet*",
            "ec2:*Route*",
            "ec2:*Endpoint*",
        ),
        _p(
            "AmazonSNSFullAccess",
            "Provides full access to Amazon SNS via the AWS Management " "Console.",
            "sns:*",
        ),
        _p(
            "AmazonSQSFullAccess",
            "Provides full access to Amazon SQS via the AWS Management " "Console.",
            "sqs:*",
        ),
        _p(
            "AWSLambdaBasicExecutionRole",
            "Provides write permissions to CloudWatch Logs.",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:PutLogEvents",
            path="/service-role/",
        ),
    )
}


def known(arn: str) -> AwsManagedPolicy | None:
    return CATALOGUE.get(arn)


def is_aws_managed(arn: str) -> bool:
    """A well-formed AWS managed policy ARN (known to the catalogue or not)."""
    return ARN.match(arn) is not None


def name_of(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]
