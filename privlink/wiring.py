"""The one place that says which services privlink serves."""

from __future__ import annotations

from privlink.api import Registry, Service
from privlink.config import Settings
from privlink.server.models import service_model
from privlink.services.acm.service import service as acm
from privlink.services.cloudwatch.service import service as cloudwatch
from privlink.services.ec2.service import service as ec2
from privlink.services.elbv2.service import service as elbv2
from privlink.services.iam.service import service as iam
from privlink.services.logs.service import service as logs
from privlink.services.mwaa.service import service as mwaa
from privlink.services.s3.service import service as s3
from privlink.services.sns.service import service as sns
from privlink.services.sts.service import service as sts


def services(settings: Settings) -> list[Service]:
    """The services; S3 keeps its object bodies and ACM its CA under the settings' state dir."""
    return [
        ec2(),
        elbv2(),
        sns(),
        sts(),
        iam(),
        logs(),
        s3(settings.state_dir),
        acm(settings.state_dir),
        mwaa(settings.state_dir),
        cloudwatch(),
    ]


def registry(settings: Settings) -> Registry:
    return Registry.of(services(settings))


def endpoint_prefixes(served: Registry) -> frozenset[str]:
    """The served services' endpoint prefixes (ec2, elasticloadbalancing, s3 ...): the
    host names privlink's certificate covers and the AWS-service interface endpoints
    whose traffic ends at privlink's own API."""
    return frozenset(service_model(name).metadata["endpointPrefix"] for name in served.services)
