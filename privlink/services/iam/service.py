"""IAM as privlink serves it: roles and policies, stored and validated, not enforced."""

from __future__ import annotations

from privlink.api import Service
from privlink.services.iam import policies, records, role_policies, roles


def service() -> Service:
    return Service.from_modules(
        "iam", [roles, role_policies, policies], records=[records.Role, records.ManagedPolicy]
    )
