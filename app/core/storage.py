"""Where the files the platform writes live: a local folder, or the database for many servers.

`STORAGE_BACKEND=local` (the default) keeps them under STORAGE_DIR, which several servers can
share only through a network file system. `STORAGE_BACKEND=database` keeps them in the
`stored_file` table, so every app server behind a load balancer reads the same files with no
shared disk, and a file written in a request is kept or dropped with its transaction.

Keys are relative POSIX paths ("courses/alpha/images/a.png"); nothing outside the store can be
named. `write_on_commit` writes a file only when the current transaction commits (course files
follow the course rows they belong to).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from datetime import datetime
from io import BytesIO
from pathlib import Path, PurePosixPath
from typing import Protocol

from flask import Flask, Response, abort, current_app, send_file, send_from_directory
from sqlalchemy import LargeBinary, String, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.database import UTCDateTime, utcnow
from app.core.files import move_on_commit, write_private
from app.extensions import Model, db

STAGING = ".staging"


class StoredFile(Model):
    """A file of the database storage backend."""

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BadKey(ValueError):
    """A key that would leave the store (absolute, `..`, empty)."""


def check_key(key: str) -> str:
    path = PurePosixPath(key)
    if not key or path.is_absolute() or ".." in path.parts or "\\" in key or "\x00" in key:
        raise BadKey(key)
    return path.as_posix()


class Storage(Protocol):
    def read(self, key: str) -> bytes | None: ...
    def write(self, key: str, data: bytes) -> None: ...
    def write_on_commit(self, key: str, data: bytes) -> None: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def delete_prefix(self, prefix: str) -> None: ...
    def response(self, key: str, max_age: int, download_name: str | None = None) -> Response: ...


class LocalStorage:
    """Files under a folder, written all at once, readable by the server's user only."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def read(self, key: str) -> bytes | None:
        path = self.path(key)
        return path.read_bytes() if path.is_file() else None

    def write(self, key: str, data: bytes) -> None:
        write_private(self.path(key), data)

    def write_on_commit(self, key: str, data: bytes) -> None:
        staging = self.root / STAGING
        staging.mkdir(parents=True, exist_ok=True, mode=0o700)
        descriptor, name = tempfile.mkstemp(dir=staging, prefix="file-")
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        move_on_commit(db.session(), Path(name), self.path(key))

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> None:
        folder = self.path(prefix)
        if folder.is_dir():
            for path in sorted(folder.rglob("*"), reverse=True):
                path.rmdir() if path.is_dir() else path.unlink()
            folder.rmdir()

    def response(self, key: str, max_age: int, download_name: str | None = None) -> Response:
        check_key(key)
        # send_from_directory refuses paths that leave the folder, and answers conditional GETs.
        return send_from_directory(
            self.root, key, max_age=max_age, download_name=download_name,
            as_attachment=download_name is not None,
        )  # fmt: skip


class DatabaseStorage:
    """Files as rows of `stored_file`, in the request's transaction."""

    def read(self, key: str) -> bytes | None:
        return db.session.scalar(select(StoredFile.data).where(StoredFile.key == check_key(key)))

    def write(self, key: str, data: bytes) -> None:
        key = check_key(key)
        digest = hashlib.sha256(data).hexdigest()
        row = db.session.get(StoredFile, key)
        if row is None:
            try:
                with db.session.begin_nested():
                    db.session.add(StoredFile(key=key, data=data, sha256=digest, size=len(data)))
                return
            except IntegrityError:  # written at the same moment by another request
                row = db.session.get(StoredFile, key)
                if row is None:
                    raise
        row.data, row.sha256, row.size, row.updated_at = data, digest, len(data), utcnow()
        db.session.flush()

    # In the database a write is part of the transaction already.
    write_on_commit = write

    def exists(self, key: str) -> bool:
        query = select(StoredFile.key).where(StoredFile.key == check_key(key))
        return db.session.scalar(query) is not None

    def delete(self, key: str) -> None:
        db.session.execute(delete(StoredFile).where(StoredFile.key == check_key(key)))

    def delete_prefix(self, prefix: str) -> None:
        prefix = check_key(prefix).rstrip("/") + "/"
        db.session.execute(delete(StoredFile).where(StoredFile.key.startswith(prefix)))

    def response(self, key: str, max_age: int, download_name: str | None = None) -> Response:
        row = db.session.get(StoredFile, check_key(key))
        if row is None:
            abort(404)
        mimetype = mimetypes.guess_type(download_name or key)[0] or "application/octet-stream"
        return send_file(
            BytesIO(row.data), mimetype=mimetype, etag=row.sha256, max_age=max_age,
            last_modified=row.updated_at, conditional=True,
            as_attachment=download_name is not None, download_name=download_name,
        )  # fmt: skip


def storage() -> Storage:
    """The backend this app is configured with."""
    backend: Storage = current_app.extensions["sokrog_storage"]
    return backend


def init_app(app: Flask) -> None:
    kind = app.config["STORAGE_BACKEND"]
    if kind == "local":
        app.extensions["sokrog_storage"] = LocalStorage(Path(app.config["STORAGE_DIR"]))
    elif kind == "database":
        app.extensions["sokrog_storage"] = DatabaseStorage()
    else:
        raise RuntimeError(f"STORAGE_BACKEND must be 'local' or 'database' (got {kind!r})")
