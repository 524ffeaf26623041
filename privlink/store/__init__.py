"""The store: the single source of truth, SQLAlchemy 2 over SQLite or PostgreSQL."""

from privlink.store.engine import Store
from privlink.store.records import Record
from privlink.store.unit import UnitOfWork

__all__ = ["Record", "Store", "UnitOfWork"]
