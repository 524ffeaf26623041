"""botocore service models and how a request picks one."""

from __future__ import annotations

from functools import lru_cache

import botocore.session
from botocore.model import ServiceModel

# Services privlink answers, by botocore name.
SERVICES = ("ec2", "elbv2", "sns", "sts", "mwaa", "iam", "logs", "s3", "acm", "cloudwatch")


@lru_cache(maxsize=1)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@lru_cache(maxsize=32)
def service_model(name: str) -> ServiceModel:
    """The model, speaking the protocol botocore's clients pick from its `protocols` list.

    A model may list several (CloudWatch: smithy-rpc-v2-cbor, json, query); boto3 and the
    AWS CLI send the first one botocore supports in its own priority order (json for
    CloudWatch), so privlink parses and answers that one wherever it asks `protocol`."""
    model = _session().get_service_model(name)
    if model.metadata.get("protocols"):
        model.metadata["protocol"] = model.resolved_protocol
    return model


@lru_cache(maxsize=1)
def by_signing_name() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for name in SERVICES:
        model = service_model(name)
        table.setdefault(model.signing_name or model.endpoint_prefix, []).append(name)
    return table


@lru_cache(maxsize=1)
def by_target_prefix() -> dict[str, str]:
    return {
        service_model(n).metadata["targetPrefix"]: n
        for n in SERVICES
        if "targetPrefix" in service_model(n).metadata
    }


@lru_cache(maxsize=1)
def by_api_version() -> dict[str, list[str]]:
    table: dict[str, list[str]] = {}
    for name in SERVICES:
        model = service_model(name)
        if model.protocol in ("query", "ec2"):
            table.setdefault(model.api_version, []).append(name)
    return table
