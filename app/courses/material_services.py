"""Course materials in the database: written as pages when a course loads, read by the views.

The outcomes, glossary and sources pages are written here as Markdown in the course's own
languages (they are course text, not interface text) and rendered like a lesson.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, select

from app.core.i18n import pick_language
from app.courses.material_models import CoursePage
from app.courses.materials import PAGE_KINDS, SOURCE_KINDS, GlossaryEntry, SourceEntry
from app.courses.outcomes import Outcome
from app.courses.sources import CourseSource
from app.extensions import db
from app.framework.loader import Framework

# Headings and labels of the pages the platform makes, in the course languages.
LABELS: dict[str, dict[str, str]] = {
    "sl": {
        "outcomes": "Cilji učenja",
        "lesson_outcomes": "Po tej lekciji boste znali",
        "glossary": "Slovar pojmov",
        "sources": "Viri in dodatno branje",
        "meaning": "Pomen",
        "level": "raven",
        "evidence": "dokaz za kompetenco",
        "law": "Zakoni in predpisi",
        "programme": "Programi in strategije",
        "guidance": "Uradna navodila in informacije",
        "study": "Študije in poročila",
        "further-reading": "Dodatno branje",
    },
    "hr": {
        "outcomes": "Ishodi učenja",
        "lesson_outcomes": "Nakon ove lekcije moći ćete",
        "glossary": "Pojmovnik",
        "sources": "Izvori i dodatna literatura",
        "meaning": "Značenje",
        "level": "razina",
        "evidence": "dokaz za kompetenciju",
        "law": "Zakoni i propisi",
        "programme": "Programi i strategije",
        "guidance": "Službene upute i informacije",
        "study": "Studije i izvješća",
        "further-reading": "Dodatna literatura",
    },
    "en": {
        "outcomes": "Learning outcomes",
        "lesson_outcomes": "After this lesson you will be able to",
        "glossary": "Glossary",
        "sources": "Sources and further reading",
        "meaning": "Meaning",
        "level": "level",
        "evidence": "evidence for the competence",
        "law": "Laws and regulations",
        "programme": "Programmes and strategies",
        "guidance": "Official guidance and information",
        "study": "Studies and reports",
        "further-reading": "Further reading",
    },
}

# The course languages named in each of them, for the glossary's columns.
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    "sl": {"sl": "slovensko", "hr": "hrvaško", "en": "angleško"},
    "hr": {"sl": "slovenski", "hr": "hrvatski", "en": "engleski"},
    "en": {"sl": "Slovenian", "hr": "Croatian", "en": "English"},
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _competence_words(framework: Framework | None, outcome: Outcome, language: str) -> str:
    """'<competence name>, level N (<level name>)' in the framework's own words."""
    labels = LABELS[language]
    names = {item.code: item.names for item in framework.competences} if framework else {}
    name = names.get(outcome.competence, {}).get(language, outcome.competence)
    level_names = framework.levels.get(outcome.level, ({}, {}))[0] if framework else {}
    level_name = level_names.get(language)
    level = f"{labels['level']} {outcome.level}" + (f": {level_name}" if level_name else "")
    return f"{name}, {level}"


def outcomes_markdown(outcomes: list[Outcome], language: str, framework: Framework | None) -> str:
    lines = []
    for outcome in outcomes:
        text = outcome.text.get(language) or outcome.text.get("", "")
        words = _competence_words(framework, outcome, language)
        lines.append(f"- {text} *({LABELS[language]['evidence']}: {words})*")
    return "\n".join(lines) + "\n"


def lesson_outcomes_markdown(
    outcomes: list[Outcome], language: str, framework: Framework | None
) -> str:
    """The admonition a lesson starts with, listing its outcomes; empty without outcomes."""
    if not outcomes or language not in LABELS:
        return ""
    items = outcomes_markdown(outcomes, language, framework)
    indented = "".join(f"    {line}\n" for line in items.splitlines())
    return f'!!! note "{LABELS[language]["lesson_outcomes"]}"\n{indented}\n'


def glossary_markdown(entries: list[GlossaryEntry], languages: list[str], language: str) -> str:
    labels = LABELS[language]
    # The reader's language first, then the other regional language, then the rest.
    order = [language, *[other for other in languages if other != language]]
    header = [LANGUAGE_NAMES[language].get(code, code).capitalize() for code in order]
    lines = [
        "| " + " | ".join([*header, labels["meaning"]]) + " |",
        "|" + "---|" * (len(order) + 1),
    ]
    for entry in sorted(entries, key=lambda item: item.terms[language].casefold()):
        cells = [f"**{_cell(entry.terms[order[0]])}**"]
        cells += [_cell(entry.terms[code]) for code in order[1:]]
        cells.append(_cell(entry.definitions[language]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def sources_markdown(entries: list[SourceEntry], language: str) -> str:
    labels = LABELS[language]
    parts = []
    for kind in SOURCE_KINDS:
        chosen = [entry for entry in entries if entry.kind == kind]
        if not chosen:
            continue
        parts.append(f"## {labels[kind]}\n")
        for entry in chosen:
            note = entry.notes.get(language)
            line = f"- [{entry.title}]({entry.url}). {entry.publisher}."
            if note:
                line += f" {note}"
            parts.append(line)
        parts.append("")
    return "\n".join(parts)


@dataclass(frozen=True)
class PageDraft:
    slug: str
    kind: str
    language: str
    title: str
    summary: str
    markdown: str


def page_drafts(source: CourseSource, framework: Framework | None) -> list[PageDraft]:
    """Every page of a loaded course (a CourseSource), in every language it has."""
    drafts = []
    materials = source.materials
    for language in source.languages:
        if language not in LABELS:
            continue
        labels = LABELS[language]
        if source.outcomes:
            body = outcomes_markdown(source.outcomes, language, framework)
            drafts.append(PageDraft("outcomes", "outcomes", language, labels["outcomes"], "", body))
        if materials.glossary:
            body = glossary_markdown(materials.glossary, source.languages, language)
            drafts.append(PageDraft("glossary", "glossary", language, labels["glossary"], "", body))
        if materials.sources:
            body = sources_markdown(materials.sources, language)
            drafts.append(PageDraft("sources", "sources", language, labels["sources"], "", body))
        for page in materials.pages:
            page_file = page.files.get(language)
            if page_file is not None:
                drafts.append(
                    PageDraft(
                        page.slug,
                        page.kind,
                        language,
                        page_file.title,
                        page_file.summary,
                        page_file.body,
                    )
                )
    return drafts


def sync_pages(
    course_id: int, source: CourseSource, framework: Framework | None, render: Callable[[str], str]
) -> None:
    """Replace the course's pages with those of `source`; `render` turns Markdown into the
    learner's HTML (links to lessons, pages and files resolved)."""
    db.session.execute(delete(CoursePage).where(CoursePage.course_id == course_id))
    for position, draft in enumerate(page_drafts(source, framework)):
        db.session.add(
            CoursePage(
                course_id=course_id,
                slug=draft.slug,
                language=draft.language,
                kind=draft.kind,
                position=position,
                title=draft.title,
                summary=draft.summary,
                body_markdown=draft.markdown,
                body_html=render(draft.markdown),
            )
        )


# --- Reading pages for the course page and the page views ----------------------------------


@dataclass(frozen=True)
class PageLink:
    slug: str
    kind: str
    language: str
    title: str
    summary: str
    is_fallback: bool


@dataclass(frozen=True)
class CourseMaterialsView:
    """What the course page shows: the outcomes' HTML and links to the other pages."""

    outcomes_html: str
    outcomes_language: str
    links: tuple[PageLink, ...]

    def of_kind(self, kind: str) -> list[PageLink]:
        return [link for link in self.links if link.kind == kind]


def _best(rows: list[CoursePage], language: str) -> dict[str, CoursePage]:
    by_slug: dict[str, dict[str, CoursePage]] = {}
    for row in rows:
        by_slug.setdefault(row.slug, {})[row.language] = row
    chosen = {}
    for slug, texts in by_slug.items():
        best = pick_language(set(texts), language) or next(iter(texts))
        chosen[slug] = texts[best]
    return chosen


def course_materials(course_id: int, language: str) -> CourseMaterialsView:
    """The course's pages for a reader of `language` (their language or the best fallback),
    in one query, without the page bodies except the outcomes'."""
    rows = list(
        db.session.scalars(
            select(CoursePage)
            .where(CoursePage.course_id == course_id)
            .order_by(CoursePage.position)
        )
    )
    chosen = _best(rows, language)
    outcomes = chosen.pop("outcomes", None)
    order = {kind: index for index, kind in enumerate(("glossary", "sources", *PAGE_KINDS))}
    links = sorted(
        (
            PageLink(
                row.slug, row.kind, row.language, row.title, row.summary, row.language != language
            )
            for row in chosen.values()
        ),
        key=lambda link: (order.get(link.kind, 99), link.title.casefold()),
    )
    return CourseMaterialsView(
        outcomes_html=outcomes.body_html if outcomes else "",
        outcomes_language=outcomes.language if outcomes else language,
        links=tuple(links),
    )


def course_page(course_id: int, slug: str, language: str) -> CoursePage | None:
    """One page in the reader's language, or the best fallback."""
    rows = list(
        db.session.scalars(
            select(CoursePage).where(CoursePage.course_id == course_id, CoursePage.slug == slug)
        )
    )
    return _best(rows, language).get(slug)
