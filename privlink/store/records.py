"""Typed resource records.

Every resource is a pydantic model with a `kind`; the store persists it as a
JSON document beside the few columns that queries select on (id, account,
region, parent). The domain stays typed while adding a field never needs a
schema migration.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(validate_assignment=False, extra="ignore")

    kind: ClassVar[str]
    # What looking up a missing id of this kind raises (`Scope.require`); services set it.
    not_found: ClassVar[Callable[..., Exception] | None] = None
    id: str
    account: str
    region: str

    @property
    def parent(self) -> str | None:
        """The id queries group this record under (a VPC for a subnet, ...)."""
        return None
