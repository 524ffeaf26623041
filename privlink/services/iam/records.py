"""IAM records as the store keeps them.

IAM is global: its records live in the pseudo-region GLOBAL, so a role made
through us-east-1 is the same role seen from eu-west-1 (see `scopes.py`).
Names are unique per account without regard to case, as on AWS, so a
record's id is `account/lower-cased name`; the ARN is a field.

A role holds its inline policies and the ARNs of its attached managed
policies: both are deleted with it and read with it, and neither has a life
of its own. A customer managed policy holds its versions (at most five).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from privlink import errors
from privlink.store.records import Record

GLOBAL = "aws-global"


def record_id(account: str, name: str) -> str:
    return f"{account}/{name.lower()}"


class Role(Record):
    kind = "iam-role"
    name: str
    path: str
    role_id: str
    arn: str
    created: str
    trust_policy: str  # the document as the caller sent it
    description: str | None = None
    max_session_duration: int = 3600
    permissions_boundary: str | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    inline_policies: dict[str, str] = Field(default_factory=dict)  # name -> document
    attached: list[str] = Field(default_factory=list)  # managed policy ARNs, in attach order
    service_linked: bool = False


class PolicyVersion(BaseModel):
    version_id: str
    document: str
    created: str


class ManagedPolicy(Record):
    """A customer managed policy (AWS managed ones are a catalogue: see managed.py)."""

    kind = "iam-policy"
    not_found = errors.NoSuchPolicy
    name: str
    path: str
    policy_id: str
    arn: str
    created: str
    updated: str
    description: str | None = None
    default_version: str = "v1"
    versions: list[PolicyVersion] = Field(default_factory=list)
    next_version: int = 2
    tags: dict[str, str] = Field(default_factory=dict)

    def version(self, version_id: str) -> PolicyVersion | None:
        return next((v for v in self.versions if v.version_id == version_id), None)
