"""Listener certificates: ACM certificates a TLS or HTTPS listener serves with.

A certificate must be the caller's, in the load balancer's region (ACM certificates are
regional), else CertificateNotFound, as ELBv2 answers. While any listener of a load
balancer uses it, ACM lists the load balancer in InUseBy and refuses DeleteCertificate
(ResourceInUseException); the last listener that stops using it releases it.
"""

from __future__ import annotations

from collections.abc import Iterable

from privlink import errors
from privlink.api import Scope
from privlink.services.acm import operations as acm
from privlink.services.acm import queries as acm_queries
from privlink.services.elbv2 import ssl_policies
from privlink.services.elbv2.records import Listener, LoadBalancer


def check(scope: Scope, arns: Iterable[str]) -> None:
    """Every ARN names a certificate of the caller's in this region."""
    for arn in arns:
        try:
            acm_queries.certificate_by_arn(scope, arn)
        except errors.AwsError as exc:
            raise errors.CertificateNotFound(arn) from exc


def check_policy(policy: str | None) -> None:
    if policy is not None and policy not in ssl_policies.MIN_TLS:
        raise errors.SSLPolicyNotFound(policy)


def bind(scope: Scope, lb: LoadBalancer, listener: Listener) -> None:
    for arn in listener.certificates:
        acm.mark_in_use(scope, arn, lb.id)


def unbind(scope: Scope, lb: LoadBalancer, listener: Listener, keep: Iterable[str] = ()) -> None:
    """Release the listener's certificates no other listener of the load balancer (and
    none of `keep`) still uses."""
    still = set(keep)
    for other in scope.list(Listener, parent=lb.id):
        if other.id != listener.id:
            still.update(other.certificates)
    for arn in listener.certificates:
        if arn not in still:
            acm.release(scope, arn, lb.id)
