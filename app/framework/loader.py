"""Parse and validate courses/competences.yml into plain data, without touching the database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.core.sources import LineDict, Problem, SourceError, item_line, key_line, parse_yaml
from app.core.validate import Checker

FRAMEWORK_FILE = "competences.yml"
LEVELS = range(5)


@dataclass
class AreaSource:
    code: str
    names: dict[str, str]


@dataclass
class CompetenceSource:
    code: str
    area: str
    names: dict[str, str]
    descriptions: dict[str, str]
    esco_uri: str | None = None
    validity_months: int | None = None


@dataclass
class JobRoleSource:
    code: str
    names: dict[str, str]
    targets: dict[str, int] = field(default_factory=dict)


@dataclass
class Framework:
    path: str
    levels: dict[int, tuple[dict[str, str], dict[str, str]]] = field(default_factory=dict)
    areas: list[AreaSource] = field(default_factory=list)
    competences: list[CompetenceSource] = field(default_factory=list)
    job_roles: list[JobRoleSource] = field(default_factory=list)

    @property
    def competence_codes(self) -> set[str]:
        return {competence.code for competence in self.competences}


def load_framework(path: Path, display_path: str | None = None) -> tuple[Framework, list[Problem]]:
    """Read the framework file; return what could be read and every problem found."""
    shown = display_path or str(path)
    framework = Framework(shown)
    check = Checker(shown)
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"), shown)
    except SourceError as error:
        return framework, [error.problem]
    except (OSError, UnicodeDecodeError) as error:
        return framework, [Problem(shown, 1, f"cannot read the file: {error}")]
    root = check.mapping(data, 1, "the framework")
    if root is None:
        return framework, check.problems
    check.keys(root, {"scale", "areas", "competences", "job_roles"}, set(), "the framework")
    _read_scale(check, root, framework)
    _read_areas(check, root, framework)
    _read_competences(check, root, framework)
    _read_job_roles(check, root, framework)
    return framework, check.problems


def _items(check: Checker, root: LineDict, key: str) -> Iterator[LineDict]:
    value = root.get(key)
    if value is None:
        return
    if not isinstance(value, list):
        check.error(key_line(root, key), f"'{key}' must be a list")
        return
    for index, item in enumerate(value):
        mapping = check.mapping(item, item_line(value, index), f"an item of '{key}'")
        if mapping is not None:
            yield mapping


def _read_scale(check: Checker, root: LineDict, framework: Framework) -> None:
    for item in _items(check, root, "scale"):
        check.keys(item, {"level", "name", "descriptor"}, set(), "a scale level")
        level = check.integer(item, "level", "level", 0, 4)
        names = check.translated(item, "name", "level name")
        descriptors = check.translated(item, "descriptor", "level descriptor")
        if level is None:
            continue
        if level in framework.levels:
            check.error(key_line(item, "level"), f"level {level} is defined twice")
        framework.levels[level] = (names, descriptors)
    if "scale" in root and set(framework.levels) != set(LEVELS):
        missing = sorted(set(LEVELS) - set(framework.levels))
        if missing:
            check.error(
                key_line(root, "scale"),
                f"the scale must define levels 0 to 4; missing {', '.join(map(str, missing))}",
            )


def _read_areas(check: Checker, root: LineDict, framework: Framework) -> None:
    seen: set[str] = set()
    for item in _items(check, root, "areas"):
        check.keys(item, {"id", "name"}, set(), "an area")
        code = check.slug(item, "id", "area id")
        names = check.translated(item, "name", "area name")
        if code in seen:
            check.error(key_line(item, "id"), f"duplicate area id '{code}'")
        elif code:
            seen.add(code)
            framework.areas.append(AreaSource(code, names))


def _read_competences(check: Checker, root: LineDict, framework: Framework) -> None:
    areas = {area.code for area in framework.areas}
    seen: set[str] = set()
    for item in _items(check, root, "competences"):
        check.keys(
            item,
            {"id", "area", "name", "description"},
            {"esco", "validity_months"},
            "a competence",
        )
        code = check.slug(item, "id", "competence id")
        area = item.get("area")
        if area is not None and area not in areas:
            check.error(key_line(item, "area"), f"unknown area '{area}'")
        esco = item.get("esco")
        if esco is not None and (
            not isinstance(esco, str) or not esco.startswith("http://data.europa.eu/esco/")
        ):
            check.error(key_line(item, "esco"), "esco must be an ESCO concept URI")
            esco = None
        competence = CompetenceSource(
            code=code or "",
            area=str(area or ""),
            names=check.translated(item, "name", "competence name"),
            descriptions=check.translated(item, "description", "competence description"),
            esco_uri=esco,
            validity_months=check.integer(item, "validity_months", "validity_months", 1, 600),
        )
        if code in seen:
            check.error(key_line(item, "id"), f"duplicate competence id '{code}'")
        elif code:
            seen.add(code)
            framework.competences.append(competence)


def _read_job_roles(check: Checker, root: LineDict, framework: Framework) -> None:
    codes = framework.competence_codes
    seen: set[str] = set()
    for item in _items(check, root, "job_roles"):
        check.keys(item, {"id", "name", "targets"}, set(), "a job role")
        code = check.slug(item, "id", "job role id")
        role = JobRoleSource(code or "", check.translated(item, "name", "job role name"))
        targets = item.get("targets")
        if isinstance(targets, dict):
            for competence, level in targets.items():
                line = key_line(targets, competence)
                if competence not in codes:
                    check.error(line, f"unknown competence '{competence}' in targets")
                elif isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
                    check.error(line, "a target level must be a whole number from 0 to 4")
                else:
                    role.targets[competence] = level
        elif targets is not None:
            check.error(key_line(item, "targets"), "targets must map competence ids to levels")
        if code in seen:
            check.error(key_line(item, "id"), f"duplicate job role id '{code}'")
        elif code:
            seen.add(code)
            framework.job_roles.append(role)
