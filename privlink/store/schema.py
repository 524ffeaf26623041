"""Tables. Records are documents; addresses and unique names get real constraints."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

records = Table(
    "records",
    metadata,
    Column("kind", String(64), primary_key=True),
    Column("id", String(255), primary_key=True),
    Column("account", String(12), nullable=False),
    Column("region", String(32), nullable=False),
    Column("parent", String(255)),
    Column("seq", Integer, nullable=False),
    Column("doc", Text, nullable=False),
    Index("ix_records_scope", "kind", "account", "region", "seq"),
    Index("ix_records_parent", "kind", "parent"),
)

# One row per address in use: the primary key makes a double allocation impossible.
addresses = Table(
    "addresses",
    metadata,
    Column("subnet_id", String(64), primary_key=True),
    Column("address", String(64), primary_key=True),
    Column("owner", String(64), nullable=False),
    Index("ix_addresses_owner", "owner"),
)

# Names that must be unique in a scope (a security group name in a VPC, an
# endpoint's private DNS name in a VPC, a client token ...).
unique_names = Table(
    "unique_names",
    metadata,
    Column("scope", String(255), primary_key=True),
    Column("name", String(512), primary_key=True),
    Column("owner", String(255), nullable=False),
    Index("ix_unique_owner", "owner"),
)
