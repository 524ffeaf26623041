"""CreateEnvironment's semantic checks (spec section 2.2), made before anything is built.

Each check reads other services through their queries: subnets and groups
through the caller's Scope (a VPC of another account is not found, as a
shared VPC needs EndpointManagement CUSTOMER), the execution role through
IAM's cross-account `role_by_arn`, the bucket through S3's `bucket`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from privlink import errors
from privlink.api import Scope
from privlink.services.ec2.records import SecurityGroup, Subnet, Vpc
from privlink.services.iam import queries as iam
from privlink.services.mwaa.records import Environment
from privlink.services.s3 import queries as s3

ENVIRONMENTS_PER_REGION = 10
TRUSTED_PRINCIPAL = "airflow-env.amazonaws.com"
BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
SUPPORTED_VERSIONS = ("2.7.2", "2.8.1", "2.9.2", "2.10.1", "2.10.3", "2.11.0", "3.0.6")
LATEST_VERSION = "3.0.6"


@dataclass(frozen=True)
class Network:
    vpc: Vpc
    subnets: list[Subnet]
    group_ids: list[str]


def network(scope: Scope, subnet_ids: Sequence[str], group_ids: Sequence[str]) -> Network:
    """Two subnets of one of the caller's VPCs in different AZs; groups of that VPC."""
    subnets = []
    for subnet_id in subnet_ids:
        subnet = scope.get(Subnet, subnet_id)
        if subnet is None:
            raise errors.MwaaSubnetMissing(subnet_id)
        subnets.append(subnet)
    if len({s.vpc_id for s in subnets}) != 1:
        raise errors.MwaaSubnetsTwoVpcs()
    if len({s.availability_zone for s in subnets}) != len(subnets):
        raise errors.MwaaSubnetsOneZone()
    vpc = scope.get(Vpc, subnets[0].vpc_id)
    if vpc is None:
        raise errors.MwaaSharedVpc(subnets[0].vpc_id)
    for group_id in group_ids:
        group = scope.get(SecurityGroup, group_id)
        if group is None or group.vpc_id != vpc.id:
            raise errors.MwaaGroupOutsideVpc(group_id, vpc.id)
    return Network(vpc, subnets, list(dict.fromkeys(group_ids)))


def execution_role(scope: Scope, arn: str) -> None:
    role = iam.role_by_arn(scope, arn)
    if role is None or not iam.trusts(role, TRUSTED_PRINCIPAL):
        raise errors.MwaaRoleNotAssumable(arn)


def bucket_name(arn: str) -> str:
    return arn.split(":::", 1)[1] if ":::" in arn else arn


def source_bucket(scope: Scope, arn: str) -> None:
    """The bucket exists, is the caller's, and blocks public access (all four settings)."""
    name = bucket_name(arn)
    try:
        bucket = s3.bucket(scope, name)
    except errors.AwsError as exc:
        raise errors.MwaaBucketMissing(name) from exc
    block = bucket.public_access_block or {}
    if not all(block.get(setting) for setting in BLOCKS):
        raise errors.MwaaBucketPublic(name)


def object_versions(settings: dict[str, object]) -> None:
    """A plugins / requirements / startup script path needs its object version."""
    for kind in ("Plugins", "Requirements", "StartupScript"):
        path, version = f"{kind}S3Path", f"{kind}S3ObjectVersion"
        if settings.get(path) and not settings.get(version):
            raise errors.MwaaObjectVersionMissing(path, version)


def new_name(scope: Scope, arn: str, name: str) -> None:
    if scope.get(Environment, arn) is not None:
        raise errors.MwaaEnvironmentExists(name)
    if len(scope.list(Environment)) >= ENVIRONMENTS_PER_REGION:
        raise errors.MwaaQuota(str(ENVIRONMENTS_PER_REGION))


def airflow_version(version: str | None) -> str:
    chosen = version or LATEST_VERSION
    if chosen not in SUPPORTED_VERSIONS:
        raise errors.ValidationException.because(
            f"Invalid request provided: Airflow version {chosen} is not supported. Supported "
            f"versions: {', '.join(SUPPORTED_VERSIONS)}."
        )
    return chosen
