"""The Describe pipeline, once: ids -> scope -> filters -> paging.

EC2's Describe* calls all work the same way: ids asked for must be well
formed and all exist in the caller's account and region (else the kind's
NotFound, naming every missing id), then Filters narrow the list, then
MaxResults/NextToken page it in creation order. Handlers give the record
kind, its filter table and an id check; they turn the page into wire shapes.
Describe calls whose items are not records (DescribeTags' tag rows, a
group's rules) run the second half of the pipeline alone: `narrow`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from privlink.api import Scope
from privlink.domain import filters, paging
from privlink.store.records import Record

R = TypeVar("R", bound=Record)
T = TypeVar("T")
Tags = Callable[[Any], dict[str, str]]
Getter = filters.Getter


def _tags(item: Any) -> dict[str, str]:
    return getattr(item, "tags", {})


def narrow(
    items: Sequence[T],
    params: Mapping[str, Any],
    getters: Mapping[str, filters.Getter],
    key: Callable[[T], str],
    tags: Tags = _tags,
    limits: tuple[int, int] = (5, 1000),
) -> tuple[list[T], str | None]:
    """Filters, then MaxResults/NextToken (`key` names an item in the token)."""
    chosen = filters.apply(items, params.get("Filters"), dict(getters), tags)
    return paging.page(chosen, params.get("MaxResults"), params.get("NextToken"), key, limits)


@dataclass(frozen=True)
class Describe(Generic[R]):
    """How one Describe* call selects its records."""

    record: type[R]
    filters: Mapping[str, filters.Getter]
    check_id: Callable[[str], None] | None = None
    limits: tuple[int, int] = (5, 1000)
    tags: Tags = _tags
    # Filters whose values need the caller's scope (another record's name, a live count).
    scoped_filters: Callable[[Scope], Mapping[str, Getter]] | None = None
    # Filters that name the record's id or its parent (the store's column): one exact
    # value of either picks the candidates before any record is parsed.
    id_filter: str | None = None
    parent_filter: str | None = None

    def page(
        self,
        scope: Scope,
        ids: Sequence[str] | None,
        params: Mapping[str, Any],
        items: Sequence[R] | None = None,
    ) -> tuple[list[R], str | None]:
        """One page of the caller's records. `items` replaces "every record of the kind
        in scope" where the candidates are narrower (a provider's own connections)."""
        if items is None and not ids:
            items = self._by_column(scope, params.get("Filters") or [])
        chosen = self.select(scope, ids, items)
        getters = dict(self.filters)
        if self.scoped_filters is not None:
            getters.update(self.scoped_filters(scope))
        return narrow(chosen, params, getters, _id, self.tags, self.limits)

    def _by_column(self, scope: Scope, specs: list[dict[str, Any]]) -> list[R] | None:
        """The records an exact id or parent filter admits (None: no such filter), so a
        filtered call parses what it may answer, not every record of the caller's; the
        full filters still run on them."""
        for spec in specs:
            values = spec.get("Values") or []
            if len(values) != 1 or "*" in values[0] or "?" in values[0]:
                continue
            if spec.get("Name") == self.id_filter:
                found = scope.get(self.record, values[0])
                return [found] if found is not None else []
            if spec.get("Name") == self.parent_filter:
                return scope.list(self.record, parent=values[0])
        return None

    def select(
        self, scope: Scope, ids: Sequence[str] | None, items: Sequence[R] | None = None
    ) -> list[R]:
        wanted = list(dict.fromkeys(ids or []))
        if self.check_id is not None:
            for record_id in wanted:
                self.check_id(record_id)
        if items is None:
            return scope.require_all(self.record, wanted) if wanted else scope.list(self.record)
        if not wanted:
            return list(items)
        by_id = {item.id: item for item in items}
        missing = [i for i in wanted if i not in by_id]
        if missing:
            not_found = self.record.not_found
            assert not_found is not None, f"{self.record.__name__} declares no not_found"
            raise not_found(*missing)
        return [by_id[i] for i in wanted]


def _id(record: Record) -> str:
    return record.id
