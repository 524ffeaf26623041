"""S3 records: buckets, keys with their versions, multipart uploads with their parts.

Bucket names are global (the record id is the name, whatever the account);
one `ObjectKey` record per key holds every version of it, newest first, so a
read is one lookup and a listing is one pass over the bucket's keys. Bodies
are files in `Storage`, named by `blob`; records only point at them.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from privlink import errors
from privlink.store.records import Record

NULL_VERSION = "null"


class Bucket(Record):
    kind = "s3-bucket"
    not_found = errors.NoSuchBucket
    created: dt.datetime
    versioning: str | None = None  # None (never enabled) | Enabled | Suspended
    mfa_delete: str | None = None
    public_access_block: dict[str, bool] | None = None
    policy: str | None = None


class Checksum(BaseModel):
    algorithm: str  # CRC32, CRC32C, CRC64NVME, SHA1, SHA256
    value: str  # base64; "...-N" for a composite multipart checksum
    type: str = "FULL_OBJECT"  # or COMPOSITE


class Version(BaseModel):
    """One version of a key: an object or a delete marker."""

    version_id: str
    last_modified: dt.datetime
    owner: str
    delete_marker: bool = False
    etag: str = ""  # quoted, as on the wire
    size: int = 0
    blob: str = ""
    content_type: str = "binary/octet-stream"
    # Other representation headers as given (ContentEncoding, CacheControl, ...), by member.
    headers: dict[str, str] = Field(default_factory=dict)
    metadata: dict[str, str] = Field(default_factory=dict)
    checksum: Checksum | None = None
    parts: int = 0  # parts of a multipart upload; 0 for a single PUT


class ObjectKey(Record):
    kind = "s3-object"
    bucket: str
    key: str
    versions: list[Version] = Field(default_factory=list)  # newest first

    @property
    def parent(self) -> str | None:
        return self.bucket

    @property
    def latest(self) -> Version | None:
        return self.versions[0] if self.versions else None


class Part(BaseModel):
    number: int
    etag: str
    size: int
    blob: str
    last_modified: dt.datetime
    checksum: Checksum | None = None


class Upload(Record):
    kind = "s3-upload"
    not_found = errors.NoSuchUpload
    bucket: str
    key: str
    initiated: dt.datetime
    owner: str
    content_type: str = "binary/octet-stream"
    headers: dict[str, str] = Field(default_factory=dict)
    metadata: dict[str, str] = Field(default_factory=dict)
    checksum_algorithm: str | None = None
    checksum_type: str | None = None
    parts: dict[int, Part] = Field(default_factory=dict)

    @property
    def parent(self) -> str | None:
        return self.bucket


def key_id(bucket: str, key: str) -> str:
    return f"{bucket}/{key}"
