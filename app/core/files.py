"""Writing files the server keeps: personal ones private, course files in step with the database."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` as mode 0600 in a folder of mode 0700, all at once.

    A reader never sees half a file: it is written beside and renamed into place.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")  # mode 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# --- Files that follow the database transaction ------------------------------------------------
# Course files are written beside their place and moved in only when the transaction that
# records them commits: a refused or failed import leaves the files learners see untouched.

_MOVES = "sokrog_file_moves"
STAGING = ".staging"  # the folder under STORAGE_DIR where files wait for their commit


def move_on_commit(session: Session, staged: Path, target: Path) -> None:
    """Move `staged` onto `target` when the session's transaction commits; drop it otherwise."""
    session.info.setdefault(_MOVES, []).append((staged, target))


def _remove_empty_folders(folder: Path) -> None:
    """The staging folders left empty once their files have moved or gone."""
    while folder.name != STAGING and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def _apply_moves(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released (after_commit is sent for those too): not yet
    for staged, target in session.info.pop(_MOVES, []):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
        _remove_empty_folders(staged.parent)


def _drop_moves(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint ended; the outer transaction decides
    for staged, _target in session.info.pop(_MOVES, []):
        staged.unlink(missing_ok=True)
        _remove_empty_folders(staged.parent)


def init_app(_app: Flask) -> None:
    if not event.contains(Session, "after_commit", _apply_moves):
        event.listen(Session, "after_commit", _apply_moves)
        event.listen(Session, "after_transaction_end", _drop_moves)
