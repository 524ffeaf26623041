"""Listings: a bucket's keys (ListObjects/V2) and versions, rolled up by a delimiter.

Keys sort by code point, which is S3's UTF-8 byte order. A listing walks the
bucket's keys once; a page ends after `max_keys` entries (objects, versions
and common prefixes all count), and the next page resumes after the last key
or common prefix returned.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from privlink.api import Scope
from privlink.services.s3 import queries
from privlink.services.s3.records import ObjectKey, Version


@dataclass(frozen=True)
class Page:
    """One page: (key, version) entries, common prefixes, and where the next page starts."""

    entries: list[tuple[str, Version, bool]] = field(default_factory=list)  # ..., is latest
    prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    next_marker: str | None = None  # the last key or prefix on this page
    next_version: str | None = None


def _keys(scope: Scope, bucket: str, prefix: str) -> list[ObjectKey]:
    queries.bucket(scope, bucket)
    found = [k for k in scope.uow.list(ObjectKey, parent=bucket) if k.key.startswith(prefix)]
    return sorted(found, key=lambda k: k.key)


def _rolled(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    at = key.find(delimiter, len(prefix))
    return key[: at + len(delimiter)] if at >= 0 else None


Item = tuple[str, Version, bool]


def _page(items: Iterator[Item], prefix: str, delimiter: str, max_keys: int) -> Page:
    page = Page()
    count = 0
    last: tuple[str, str | None] | None = None
    for key, version, latest in items:
        rolled = _rolled(key, prefix, delimiter)
        if rolled is not None and page.prefixes and page.prefixes[-1] == rolled:
            continue
        if count == max_keys:
            return Page(page.entries, page.prefixes, True, *(last or (None, None)))
        count += 1
        if rolled is not None:
            page.prefixes.append(rolled)
            last = (rolled, None)
        else:
            page.entries.append((key, version, latest))
            last = (key, version.version_id)
    return page


def objects(
    scope: Scope,
    bucket: str,
    prefix: str = "",
    delimiter: str = "",
    max_keys: int = 1000,
    after: str = "",
) -> Page:
    """Current objects (latest versions that are not delete markers) after `after`."""

    def items() -> Iterator[Item]:
        for record in _keys(scope, bucket, prefix):
            latest = record.latest
            if latest is None or latest.delete_marker or record.key <= after:
                continue
            rolled = _rolled(record.key, prefix, delimiter)
            if rolled is not None and rolled <= after:
                continue
            yield record.key, latest, True

    return _page(items(), prefix, delimiter, max_keys)


def versions(
    scope: Scope,
    bucket: str,
    prefix: str = "",
    delimiter: str = "",
    max_keys: int = 1000,
    key_marker: str = "",
    version_marker: str = "",
) -> Page:
    """Every version and delete marker, newest first per key, after the markers."""

    def items() -> Iterator[Item]:
        for record in _keys(scope, bucket, prefix):
            if record.key < key_marker:
                continue
            rolled = _rolled(record.key, prefix, delimiter)
            if key_marker and rolled is not None and rolled <= key_marker:
                continue
            chosen = record.versions
            if record.key == key_marker:
                ids = [v.version_id for v in chosen]
                if not version_marker or version_marker not in ids:
                    continue
                chosen = chosen[ids.index(version_marker) + 1 :]
            for version in chosen:
                yield record.key, version, version is record.versions[0]

    return _page(items(), prefix, delimiter, max_keys)
