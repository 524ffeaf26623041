"""The ELBv2 security policies privlink knows, and the oldest TLS version each accepts.

A listener's SslPolicy must be one of these (SSLPolicyNotFound otherwise); the data plane
only needs the minimum protocol version to configure its TLS terminator. Names and versions
are AWS's published table (DescribeSSLPolicies).
"""

from __future__ import annotations

DEFAULT = "ELBSecurityPolicy-2016-08"

MIN_TLS: dict[str, str] = {
    "ELBSecurityPolicy-2016-08": "TLSv1.0",
    "ELBSecurityPolicy-2015-05": "TLSv1.0",
    "ELBSecurityPolicy-TLS-1-0-2015-04": "TLSv1.0",
    "ELBSecurityPolicy-FS-2018-06": "TLSv1.0",
    "ELBSecurityPolicy-TLS-1-1-2017-01": "TLSv1.1",
    "ELBSecurityPolicy-FS-1-1-2019-08": "TLSv1.1",
    "ELBSecurityPolicy-TLS-1-2-2017-01": "TLSv1.2",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06": "TLSv1.2",
    "ELBSecurityPolicy-FS-1-2-2019-08": "TLSv1.2",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08": "TLSv1.2",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10": "TLSv1.2",
    "ELBSecurityPolicy-TLS13-1-2-2021-06": "TLSv1.2",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06": "TLSv1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06": "TLSv1.2",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06": "TLSv1.2",
    "ELBSecurityPolicy-TLS13-1-1-2021-06": "TLSv1.1",
    "ELBSecurityPolicy-TLS13-1-0-2021-06": "TLSv1.0",
    "ELBSecurityPolicy-TLS13-1-3-2021-06": "TLSv1.3",
}


def min_tls(policy: str | None) -> str:
    return MIN_TLS.get(policy or DEFAULT, "TLSv1.0")
