"""Line-by-line differences between two versions of a course's files."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass
class DiffLine:
    kind: str  # "hunk", "added", "removed" or "same"
    text: str


@dataclass
class FileDiff:
    path: str
    status: str  # "added", "removed" or "changed"
    lines: list[DiffLine] = field(default_factory=list)
    is_binary: bool = False


def diff(
    old_files: dict[str, str],
    old_assets: dict[str, str],
    new_files: dict[str, str],
    new_assets: dict[str, str],
) -> list[FileDiff]:
    """What changed from one state of the course to another, file by file."""
    result = []
    for path in sorted(set(old_files) | set(new_files)):
        old, new = old_files.get(path), new_files.get(path)
        if old == new:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        lines = []
        for line in difflib.unified_diff(
            (old or "").splitlines(), (new or "").splitlines(), lineterm="", n=2
        ):
            if line.startswith(("---", "+++")):
                continue
            kind = {"@": "hunk", "+": "added", "-": "removed"}.get(line[:1], "same")
            lines.append(DiffLine(kind, line[1:] if kind != "hunk" else line))
        result.append(FileDiff(path, status, lines))
    for path in sorted(set(old_assets) | set(new_assets)):
        old, new = old_assets.get(path), new_assets.get(path)
        if old != new:
            status = "added" if old is None else "removed" if new is None else "changed"
            result.append(FileDiff(path, status, is_binary=True))
    return sorted(result, key=lambda item: item.path)
