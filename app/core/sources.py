"""Reading files that authors write: YAML with line numbers, front matter, problems as file:line."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an author's file, reported as `file:line: message`."""

    path: str
    line: int
    message: str
    is_warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.is_warning else ""
        return f"{self.path}:{self.line}: {prefix}{self.message}"


class LineDict(dict[Hashable, Any]):
    """A YAML mapping that remembers the line of each key (1-based)."""

    line: int = 1
    key_lines: dict[Hashable, int]


class LineList(list[Any]):
    """A YAML sequence that remembers the line of each item (1-based)."""

    line: int = 1
    item_lines: list[int]


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {
            self.construct_object(key, deep=True): key.start_mark.line + 1 for key, _ in node.value
        }
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        sequence = LineList(super().construct_sequence(node, deep=True))
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence
)


class Digest(Protocol):
    """A running hash (hashlib.sha256()) that the loaders feed with every file they read."""

    def update(self, data: bytes, /) -> None: ...


class SourceError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def parse_yaml(text: str, path: str, first_line: int = 1) -> Any:
    """Parse YAML keeping line numbers; a syntax error becomes a SourceError at its line."""
    try:
        # _LineLoader is a SafeLoader: no arbitrary objects.
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506  # nosec B506
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = (mark.line + first_line) if mark else first_line
        raise SourceError(Problem(path, line, f"invalid YAML: {error.problem}")) from error
    except yaml.YAMLError as error:
        raise SourceError(Problem(path, first_line, f"invalid YAML: {error}")) from error
    if first_line != 1:
        _shift_lines(data, first_line - 1)
    return data


def _shift_lines(data: Any, offset: int) -> None:
    if isinstance(data, LineDict):
        data.line += offset
        data.key_lines = {key: line + offset for key, line in data.key_lines.items()}
        for value in data.values():
            _shift_lines(value, offset)
    elif isinstance(data, LineList):
        data.line += offset
        data.item_lines = [line + offset for line in data.item_lines]
        for value in data:
            _shift_lines(value, offset)


def key_line(mapping: Any, key: Hashable) -> int:
    if isinstance(mapping, LineDict):
        return mapping.key_lines.get(key, mapping.line)
    return 1


def item_line(sequence: Any, index: int) -> int:
    if isinstance(sequence, LineList) and index < len(sequence.item_lines):
        return sequence.item_lines[index]
    return getattr(sequence, "line", 1)


@dataclass
class FrontMatterFile:
    meta: Any
    body: str
    body_first_line: int  # line number of the body's first line in the file
    front_matter_text: str = ""  # the YAML between the --- lines, as written


def split_front_matter(text: str, path: str) -> FrontMatterFile:
    """Split `---` YAML front matter from a Markdown body, keeping line numbers right."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise SourceError(Problem(path, 1, "front matter missing: the file must start with ---"))
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            meta = parse_yaml("".join(lines[1:index]), path, first_line=2)
            if meta is None:
                meta = LineDict()
            front = "".join(lines[1:index])
            return FrontMatterFile(meta, "".join(lines[index + 1 :]), index + 2, front)
    raise SourceError(Problem(path, 1, "front matter not closed: add a line with ---"))


def relative_path(path: Path, root: Path | None = None) -> str:
    """A path as an author would type it: relative to the working directory when inside it."""
    for base in (root, Path.cwd()):
        if base is None:
            continue
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            continue
    return str(path)
