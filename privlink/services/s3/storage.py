"""Where object bodies live: immutable files under the state dir, one per version or part.

A body arrives as a spooled file (the gateway wrote it while the request
streamed in) and is renamed into place only once the operation has decided
to keep it, inside the transaction that records it: a SIGKILL before the
commit leaves at most an unreferenced file, never a record pointing at a
half-written one, and the next process removes such files before its first S3
call (`sweep_once`). Files are removed only after the commit that dropped their
last reference (`Scope.after_commit`). Bodies are never read whole into memory.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

CHUNK = 1024 * 1024


class Incoming(Protocol):
    """A body on disk as the gateway hands it over (server.s3http.SpooledBody)."""

    @property
    def path(self) -> Path: ...
    @property
    def size(self) -> int: ...
    @property
    def md5_hex(self) -> str: ...
    @property
    def claimed(self) -> dict[str, str]: ...
    @property
    def computed(self) -> dict[str, str]: ...
    @property
    def content_md5(self) -> str | None: ...


@dataclass(frozen=True)
class StoredBody:
    """A byte range of a stored body: what GetObject answers with (opened when sent)."""

    path: Path
    start: int
    length: int

    def open_range(self) -> tuple[IO[bytes], int]:
        file = open(self.path, "rb")  # noqa: SIM115 - the gateway closes it when sent
        file.seek(self.start)
        return file, self.length


class Storage:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects = root / "objects"
        self.tmp = root / "tmp"
        self._swept = False

    def path(self, blob: str) -> Path:
        return self.objects / blob[:2] / blob

    def sweep_once(self, referenced: Callable[[], set[str]]) -> None:
        """Drop what a killed process left, at the first S3 call of this process: temp
        files, and bodies renamed into place whose transaction never committed (no record
        names them). Handlers run one at a time on the store thread, so no other
        transaction holds an adopted, not yet committed body while this runs."""
        if self._swept:
            return
        self._swept = True
        if self.tmp.is_dir():
            shutil.rmtree(self.tmp, ignore_errors=True)
        if not self.objects.is_dir():
            return
        keep = referenced()
        for body in self.objects.glob("*/*"):
            if body.name not in keep:
                body.unlink(missing_ok=True)

    def adopt(self, source: Path) -> str:
        """Move a finished file into place under a new blob name."""
        blob = uuid.uuid4().hex
        target = self.path(blob)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError:  # another file system: copy to a temp beside the target, then rename
            staged = self._staged()
            shutil.copyfile(source, staged)
            os.replace(staged, target)
        return blob

    def duplicate(self, blob: str) -> str:
        """A new blob with the same bytes (CopyObject): a hard link, bodies being immutable."""
        new = uuid.uuid4().hex
        target = self.path(new)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.path(blob), target)
        except OSError:
            staged = self._staged()
            shutil.copyfile(self.path(blob), staged)
            os.replace(staged, target)
        return new

    def concatenate(self, blobs: list[str]) -> str:
        """One blob holding these in order (CompleteMultipartUpload), written to a temp first."""
        staged = self._staged()
        with open(staged, "wb") as out:
            for blob in blobs:
                with open(self.path(blob), "rb") as part:
                    shutil.copyfileobj(part, out, CHUNK)
        return self.adopt(staged)

    def import_file(self, source: Path) -> str:
        """A copy of a file outside the store (another service's input) as a new blob."""
        staged = self._staged()
        shutil.copyfile(source, staged)
        return self.adopt(staged)

    def remove(self, *blobs: str) -> None:
        for blob in blobs:
            if blob:
                self.path(blob).unlink(missing_ok=True)

    def remove_later(self, after_commit: list[Callable[[], Any]], blobs: list[str]) -> None:
        """Remove these files once the transaction that dropped them has committed."""
        if blobs:
            after_commit.append(lambda: self.remove(*blobs))

    def _staged(self) -> Path:
        self.tmp.mkdir(parents=True, exist_ok=True)
        return self.tmp / uuid.uuid4().hex
