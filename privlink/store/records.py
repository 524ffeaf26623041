"""Typed resource records.

Every resource is a pydantic model with a `kind`; the store persists it as a
JSON document beside the few columns that queries select on (id, account,
region, parent). The domain stays typed while adding a field never needs a
schema migration.
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(validate_assignment=False, extra="ignore")

    kind: ClassVar[str]
    id: str
    account: str
    region: str

    @property
    def parent(self) -> str | None:
        """The id queries group this record under (a VPC for a subnet, ...)."""
        return None


_KINDS: dict[str, type[Record]] = {}


def register(cls: type[Record]) -> type[Record]:
    """Class decorator: make a record kind known to the store."""
    _KINDS[cls.kind] = cls
    return cls


def kinds() -> dict[str, type[Record]]:
    return dict(_KINDS)
