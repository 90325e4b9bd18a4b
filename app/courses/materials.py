"""A course's training materials: learning outcomes, glossary, sources and extra pages.

Read from the course folder into plain data, with every problem as `file:line`, like the
rest of the loader. The format is documented in docs/authoring.md ("Training materials").
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from app.core.sources import (
    Digest,
    LineDict,
    Problem,
    SourceError,
    item_line,
    key_line,
    parse_yaml,
    relative_path,
    split_front_matter,
)
from app.core.validate import Checker
from app.courses.outcomes import Outcome

MATERIALS_DIR = "materials"
GLOSSARY_FILE = f"{MATERIALS_DIR}/glossary.yml"
SOURCES_FILE = f"{MATERIALS_DIR}/sources.yml"
PAGE_NAME_RE = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<language>[a-z]{2})\.md$")
# What an authored page is, in the order the course page lists them.
PAGE_KINDS = ("case-study", "template", "facilitator-guide")
# Pages the platform makes from course.yml, glossary.yml and sources.yml.
GENERATED_PAGES = ("outcomes", "glossary", "sources")
SOURCE_KINDS = ("law", "programme", "guidance", "study", "further-reading")
SOURCE_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class GlossaryEntry:
    terms: dict[str, str]
    definitions: dict[str, str]


@dataclass
class SourceEntry:
    id: str
    kind: str
    title: str
    publisher: str
    url: str
    language: str
    notes: dict[str, str] = field(default_factory=dict)


@dataclass
class PageFile:
    language: str
    path: str
    title: str
    summary: str
    body: str
    body_first_line: int
    content_hash: str
    translated_from: str | None = None
    translated_from_line: int = 1


@dataclass
class MaterialPage:
    slug: str
    kind: str
    files: dict[str, PageFile] = field(default_factory=dict)


@dataclass
class CourseMaterials:
    outcomes: list[Outcome] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    sources: list[SourceEntry] = field(default_factory=list)
    pages: list[MaterialPage] = field(default_factory=list)

    def page(self, slug: str) -> MaterialPage | None:
        return next((page for page in self.pages if page.slug == slug), None)


def page_link_target(target: str) -> str | None:
    """`materials/case-marta.md` (or `.sl.md`) -> 'case-marta'; None if not a page link."""
    path = target.partition("#")[0]
    match = re.match(rf"^{MATERIALS_DIR}/([a-z0-9]+(?:-[a-z0-9]+)*)(?:\.[a-z]{{2}})?\.md$", path)
    return match.group(1) if match else None


# --- Learning outcomes ----------------------------------------------------------------------


# --- The glossary and the sources -----------------------------------------------------------


def _read_yaml(folder: Path, name: str, problems: list[Problem]) -> tuple[str, Any] | None:
    path = folder / name
    if not path.exists():
        return None
    shown = relative_path(path)
    try:
        return shown, parse_yaml(path.read_text(encoding="utf-8"), shown)
    except SourceError as error:
        problems.append(error.problem)
    except (OSError, UnicodeDecodeError) as error:
        problems.append(Problem(shown, 1, f"cannot read the file: {error}"))
    return None


def load_glossary(
    folder: Path, languages: tuple[str, ...], problems: list[Problem]
) -> list[GlossaryEntry]:
    read = _read_yaml(folder, GLOSSARY_FILE, problems)
    if read is None:
        return []
    shown, data = read
    check = Checker(shown)
    meta = check.mapping(data, 1, "the glossary")
    entries: list[GlossaryEntry] = []
    if meta is not None:
        check.keys(meta, {"terms"}, set(), "the glossary")
        terms = meta.get("terms")
        if not isinstance(terms, list) or not terms:
            check.error(key_line(meta, "terms"), "terms must be a list of terms per language")
            terms = []
        for index, item in enumerate(terms):
            entry = check.mapping(item, item_line(terms, index), "a glossary term")
            if entry is None:
                continue
            check.keys(entry, {*languages, "definition"}, set(), "a glossary term")
            words = {}
            for language in languages:
                word = entry.get(language)
                if isinstance(word, str) and word.strip():
                    words[language] = word.strip()
                elif language in entry:
                    check.error(key_line(entry, language), f"the term in '{language}' is empty")
            definitions = check.translated(entry, "definition", "the definition", languages)
            if len(words) == len(languages) and len(definitions) == len(languages):
                entries.append(GlossaryEntry(words, definitions))
    problems.extend(check.problems)
    return entries


def load_sources(
    folder: Path, languages: tuple[str, ...], problems: list[Problem]
) -> list[SourceEntry]:
    read = _read_yaml(folder, SOURCES_FILE, problems)
    if read is None:
        return []
    shown, data = read
    check = Checker(shown)
    meta = check.mapping(data, 1, "the sources")
    entries: list[SourceEntry] = []
    if meta is not None:
        check.keys(meta, {"sources"}, set(), "the sources")
        items = meta.get("sources")
        if not isinstance(items, list) or not items:
            check.error(key_line(meta, "sources"), "sources must be a list")
            items = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            entry = check.mapping(item, item_line(items, index), "a source")
            if entry is not None:
                source = _source(check, entry, languages, seen)
                if source is not None:
                    entries.append(source)
    problems.extend(check.problems)
    return entries


def _source(
    check: Checker, entry: LineDict, languages: tuple[str, ...], seen: set[str]
) -> SourceEntry | None:
    check.keys(entry, {"id", "kind", "title", "publisher", "url", "language"}, {"note"}, "a source")
    ok = True
    source_id = entry.get("id")
    if not isinstance(source_id, str) or not SOURCE_ID_RE.match(source_id):
        check.error(key_line(entry, "id"), "a source id is lowercase letters, digits and hyphens")
        ok = False
    elif source_id in seen:
        check.error(key_line(entry, "id"), f"source id '{source_id}' is used twice")
        ok = False
    else:
        seen.add(source_id)
    kind = entry.get("kind")
    if kind not in SOURCE_KINDS:
        check.error(key_line(entry, "kind"), f"kind must be one of {', '.join(SOURCE_KINDS)}")
        ok = False
    for key in ("title", "publisher", "url", "language"):
        value = entry.get(key)
        if key in entry and (not isinstance(value, str) or not value.strip()):
            check.error(key_line(entry, key), f"the source's {key} is empty")
            ok = False
    url = str(entry.get("url") or "")
    if url and not url.startswith(("https://", "http://")):
        check.error(key_line(entry, "url"), "a source's url starts with https:// or http://")
        ok = False
    notes = check.translated(entry, "note", "the source's note", languages)
    if not ok or any(key not in entry for key in ("title", "publisher", "url", "language")):
        return None
    return SourceEntry(
        id=str(source_id),
        kind=str(kind),
        title=str(entry["title"]).strip(),
        publisher=str(entry["publisher"]).strip(),
        url=url,
        language=str(entry["language"]).strip(),
        notes=notes,
    )


# --- Extra pages: case studies, templates, the facilitator guide ---------------------------


def _page_name(name: str, languages: list[str]) -> re.Match[str] | str:
    """The slug and language of a page file's name, or what is wrong with the name."""
    match = PAGE_NAME_RE.match(name)
    if not match:
        return "a page is named like case-marta.sl.md"
    if match["slug"] in GENERATED_PAGES:
        return f"'{match['slug']}' is a page the platform makes itself"
    if match["language"] not in languages:
        return f"language '{match['language']}' is not in the course's languages"
    return match


def _check_page_languages(
    pages: dict[str, MaterialPage], languages: list[str], problems: list[Problem]
) -> None:
    for page in pages.values():
        some = next(iter(page.files.values()))
        for language in languages:
            if language not in page.files:
                problems.append(
                    Problem(
                        some.path,
                        1,
                        f"page '{page.slug}' is missing in '{language}' "
                        f"(expected {MATERIALS_DIR}/{page.slug}.{language}.md)",
                    )
                )


def load_pages(
    folder: Path, languages: list[str], problems: list[Problem], digest: Digest
) -> list[MaterialPage]:
    pages: dict[str, MaterialPage] = {}
    base = folder / MATERIALS_DIR
    if not base.is_dir():
        return []
    for path in sorted(base.glob("*.md")):
        shown = relative_path(path)
        match = _page_name(path.name, languages)
        if isinstance(match, str):
            problems.append(Problem(shown, 1, match))
            continue
        raw = path.read_bytes()
        digest.update(path.name.encode())
        digest.update(raw)
        parsed = _page_file(shown, raw, match["language"], problems)
        if parsed is None:
            continue
        kind, page_file = parsed
        page = pages.setdefault(match["slug"], MaterialPage(match["slug"], kind))
        if page.kind != kind:
            message = f"page '{page.slug}' is a '{page.kind}' in another language"
            problems.append(Problem(shown, 2, message))
            continue
        page.files[match["language"]] = page_file
    _check_page_languages(pages, languages, problems)
    return sorted(pages.values(), key=lambda page: (PAGE_KINDS.index(page.kind), page.slug))


def _page_file(
    shown: str, raw: bytes, language: str, problems: list[Problem]
) -> tuple[str, PageFile] | None:
    try:
        parsed = split_front_matter(raw.decode("utf-8"), shown)
    except SourceError as error:
        problems.append(error.problem)
        return None
    except UnicodeDecodeError:
        problems.append(Problem(shown, 1, "the file is not UTF-8 text"))
        return None
    check = Checker(shown)
    meta = check.mapping(parsed.meta, 2, "the front matter")
    if meta is None:
        problems.extend(check.problems)
        return None
    check.keys(meta, {"title", "kind"}, {"summary", "translated_from"}, "the front matter")
    title, kind, summary = meta.get("title"), meta.get("kind"), meta.get("summary") or ""
    if "title" in meta and (not isinstance(title, str) or not title.strip()):
        check.error(key_line(meta, "title"), "the title is empty")
    if "kind" in meta and kind not in PAGE_KINDS:
        check.error(key_line(meta, "kind"), f"kind must be one of {', '.join(PAGE_KINDS)}")
    if not isinstance(summary, str):
        check.error(key_line(meta, "summary"), "the summary must be text")
    translated_from = meta.get("translated_from")
    if translated_from is not None and not re.match(r"^[0-9a-f]{12}$", str(translated_from)):
        check.error(key_line(meta, "translated_from"), "translated_from must be 12 hex digits")
    problems.extend(check.problems)
    if check.problems:
        return None
    return str(kind), PageFile(
        language=language,
        path=shown,
        title=str(title).strip(),
        summary=str(summary).strip(),
        body=parsed.body,
        body_first_line=parsed.body_first_line,
        content_hash=hashlib.sha256(raw).hexdigest(),
        translated_from=str(translated_from) if translated_from is not None else None,
        translated_from_line=key_line(meta, "translated_from"),
    )


def check_page_translations(
    problems: list[Problem], pages: list[MaterialPage], source: str
) -> None:
    """A translated page made from an older version of its source is reported, not refused."""
    for page in pages:
        original = page.files.get(source)
        for page_file in page.files.values():
            if page_file.translated_from is None or original is None:
                continue
            if page_file.translated_from != original.content_hash[:12]:
                problems.append(
                    Problem(
                        page_file.path,
                        page_file.translated_from_line,
                        f"translated from an older version of {PurePosixPath(original.path).name}:"
                        " the translation needs an update",
                        is_warning=True,
                    )
                )


def load_materials(
    folder: Path, languages: list[str], problems: list[Problem], digest: Digest
) -> CourseMaterials:
    """The glossary, the sources and the pages of a course folder (outcomes come from
    course.yml and the lessons)."""
    for name in (GLOSSARY_FILE, SOURCES_FILE):
        if (folder / name).exists():
            digest.update(name.encode())
            digest.update((folder / name).read_bytes())
    languages_tuple = tuple(languages)
    materials = CourseMaterials(
        glossary=load_glossary(folder, languages_tuple, problems),
        sources=load_sources(folder, languages_tuple, problems),
        pages=load_pages(folder, languages, problems, digest),
    )
    if languages:
        check_page_translations(problems, materials.pages, languages[0])
    return materials
