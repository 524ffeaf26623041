"""ProgressBook: an apply's outcome becomes Progress records, written only where a
resource's state changed (issue 12: every outcome used to read and compare them all).

Driven through a real store; what was written is read back from it, and what was
touched is heard on the store's change feed, as the reconcile loop hears it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from privlink.reconcile.progress import Outcome, Progress, ProgressBook, Stage
from privlink.store import Store
from tests.backends import database

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path):
    with database("sqlite", tmp_path) as url:
        s = Store(url)
        yield s
        s.close()


class Feed:
    def __init__(self, store: Store) -> None:
        self.heard: list[set[str]] = []
        store.subscribe(lambda changed: self.heard.append({rid for _, rid in changed}))

    def take(self) -> set[str]:
        out = set().union(*self.heard) if self.heard else set()
        self.heard.clear()
        return out


def record(store: Store, book: ProgressBook, outcome: Outcome) -> None:
    with store.unit() as uow:
        book.record(uow, outcome, NOW)


def stages(store: Store) -> dict[str, tuple[Stage, int]]:
    with store.unit() as uow:
        return {p.id: (p.stage, p.attempts) for p in uow.list(Progress)}


def outcome(tracked: set[str], errors: dict[str, str] | None = None, gen: int = 0) -> Outcome:
    return Outcome(frozenset(tracked), errors or {}, frozenset(), gen)


def test_only_changed_resources_are_written(store: Store) -> None:
    book, feed = ProgressBook(), Feed(store)
    record(store, book, outcome({"a", "b"}, {"b": "busy"}))
    assert stages(store) == {"a": (Stage.READY, 0), "b": (Stage.RETRYING, 1)}
    assert feed.take() == {"a", "b"}
    record(store, book, outcome({"a", "b"}, {"b": "busy"}))
    assert stages(store)["b"] == (Stage.RETRYING, 2)
    assert feed.take() == {"b"}  # a is still ready: not written again
    record(store, book, outcome({"a", "b"}))
    assert stages(store) == {"a": (Stage.READY, 0), "b": (Stage.READY, 0)}
    assert feed.take() == {"b"}
    record(store, book, outcome({"a", "b"}))
    assert feed.take() == set()
    record(store, book, outcome({"b"}))  # a is no longer planned
    assert stages(store) == {"b": (Stage.READY, 0)}
    assert feed.take() == {"a"}


def test_a_new_book_reads_what_is_stored(store: Store) -> None:
    record(store, ProgressBook(), outcome({"a", "b"}, {"b": "busy"}))
    feed = Feed(store)
    record(store, ProgressBook(), outcome({"a", "b"}, {"b": "busy"}))  # after a restart
    assert stages(store) == {"a": (Stage.READY, 0), "b": (Stage.RETRYING, 2)}
    assert feed.take() == {"b"}


def test_an_outcome_older_than_a_change_says_nothing_about_it(store: Store) -> None:
    book = ProgressBook()
    record(store, book, outcome({"a"}, gen=1))
    with store.unit() as uow:
        book.forget(uow, {"a"}, generation=2)  # a changed: its progress is void
    assert stages(store) == {}
    record(store, book, outcome({"a"}, gen=1))  # planned before the change
    assert stages(store) == {}
    record(store, book, outcome({"a"}, {"a": "busy"}, gen=2))
    assert stages(store) == {"a": (Stage.RETRYING, 1)}
