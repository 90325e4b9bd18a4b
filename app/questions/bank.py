"""A course's question bank across its quiz files, and merging an imported bank into it.

The quiz files of a course (one per language) ask the same questions in the same order, in the
same groups: a bank is that list of entries, each a question in every language and its group
(a pool of which an attempt draws `pick`). A Moodle category becomes a group.

An imported question is found again by its identity: Moodle's idnumber when it has one, else a
hash of its content, as far as the file's format can say it. Each one is stored as its own
question: two equal questions in one file are two questions, and a re-import of the same file
finds each of them again (the n-th equal one matches the n-th), so nothing is merged.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from app.core.sources import Problem
from app.questions.markdown_body import Group
from app.questions.markdown_format import QuizSettings, QuizSource
from app.questions.model import Question

# Moodle's path of the course's own categories; "top" is the invisible root.
CATEGORY_ROOT = "$course$/top/"
# What no import format says: kept from the question already in the quiz.
PLATFORM_FIELDS = ("competence", "competence_level", "ignore_diacritics")

# The fields of a question that a file format cannot say (beyond PLATFORM_FIELDS).
Uncarried = Callable[[Question], tuple[str, ...]]


def group_of(category: str) -> str | None:
    """The group a Moodle category path becomes: the path inside the course, without "top"."""
    path = " ".join(category.split())
    if path.startswith("$") and "/" in path:
        path = path.split("/", 1)[1]  # $course$/, $system$/, $module$/...: the context
    elif path.startswith("$"):
        path = ""
    if path == "top" or path.startswith("top/"):
        path = path[4:]
    return path.strip() or None


def category_of(group: str | None) -> str:
    return CATEGORY_ROOT + group if group else ""


@dataclass(eq=False)
class Entry:
    """One question of the bank: the question in each language, and its group. Entries are
    compared by identity: two equal questions are still two entries."""

    group: str | None
    texts: dict[str, Question]


@dataclass
class Bank:
    """The quiz files of a course as one list of entries; `picks` in the files' group order."""

    languages: list[str]
    settings: dict[str, QuizSettings]
    entries: list[Entry] = field(default_factory=list)
    picks: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_sources(
        cls,
        sources: dict[str, QuizSource],
        languages: list[str],
        defaults: dict[str, QuizSettings],
    ) -> Bank:
        """The bank of parallel quiz files; a language without a file gets the `defaults`
        settings and a copy of the first one's questions (to translate), as the editor starts a
        translation."""
        settings = {
            lang: copy.copy(sources[lang].settings if lang in sources else defaults[lang])
            for lang in languages
        }
        bank = cls(languages, settings)
        if not sources:
            return bank
        main = sources[next(lang for lang in languages if lang in sources)]
        group_of_index = {i: g.name for g in main.groups for i in g.question_indexes}
        bank.picks = {group.name: group.pick for group in main.groups}
        for index in range(len(main.questions)):
            texts = {
                lang: copy.deepcopy((sources.get(lang) or main).questions[index])
                for lang in languages
            }
            bank.entries.append(Entry(group_of_index.get(index), texts))
        return bank

    def sources(self) -> dict[str, QuizSource]:
        """The quiz files again: questions without a group first, then each group in turn."""
        order = [entry for entry in self.entries if entry.group is None]
        groups: list[Group] = []
        names = list(self.picks) + [
            entry.group for entry in self.entries if entry.group and entry.group not in self.picks
        ]
        for name in dict.fromkeys(names):
            pick = self.picks.get(name, 0) or len(self.entries)
            members = [entry for entry in self.entries if entry.group == name]
            if members:
                indexes = list(range(len(order), len(order) + len(members)))
                groups.append(Group(name, min(pick, len(members)), indexes))
                order += members
        return {
            lang: QuizSource(
                self.settings[lang],
                [entry.texts[lang] for entry in order],
                copy.deepcopy(groups),
            )
            for lang in self.languages
        }

    def categories(self, language: str) -> list[Question]:
        """The questions in one language, each with its group as a Moodle category, in the
        order the quiz file has them: for an export."""
        order = self.sources()[language]
        group_of_index = {i: g.name for g in order.groups for i in g.question_indexes}
        questions = []
        for index, question in enumerate(order.questions):
            exported = copy.deepcopy(question)
            exported.category = category_of(group_of_index.get(index))
            questions.append(exported)
        return questions


def _accepted(number: dict[str, Any]) -> dict[str, Any]:
    """An accepted number as value and tolerance, which a range is too (Moodle XML has no
    ranges), to twelve digits."""
    low, high = number.pop("min"), number.pop("max")
    if low is not None and high is not None:
        number["value"], number["tolerance"] = (low + high) / 2, (high - low) / 2
    for key in ("value", "tolerance"):
        if number[key] is not None:
            number[key] = float(f"{number[key]:.12g}")
    return number


def content_hash(question: Question, uncarried: tuple[str, ...]) -> str:
    """A question's identity when it has no id: its content as the file's format can say it."""
    data: dict[str, Any] = asdict(question)
    for name in ("line", "category", "id", *PLATFORM_FIELDS, *uncarried):
        data.pop(name, None)
    data["numerical"] = [_accepted(number) for number in data["numerical"]]
    text = json.dumps(data, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class Outcome:
    """What an import did with one question of the file."""

    question: Question
    status: str  # "new", "unchanged" or "updated"
    entry: Entry


@dataclass
class _Index:
    """The bank's entries in one language, by id and by content hash (oldest first)."""

    language: str
    by_id: dict[str, list[Entry]] = field(default_factory=dict)
    by_hash: dict[str, list[Entry]] = field(default_factory=dict)

    def take(self, question: Question, digest: str) -> Entry | None:
        """The entry this question is, removed from the index, or None."""
        entry: Entry | None
        if question.id and self.by_id.get(question.id):
            entry = self.by_id[question.id][0]
        else:
            candidates = self.by_hash.get(digest, [])
            entry = next(
                (e for e in candidates if not question.id or not e.texts[self.language].id), None
            )
        if entry is None:
            return None
        for entries in (*self.by_id.values(), *self.by_hash.values()):
            if entry in entries:
                entries.remove(entry)
        return entry


def _merged(incoming: Question, existing: Question, uncarried: tuple[str, ...]) -> Question:
    """The imported question, with what its file cannot say kept from the one in the quiz."""
    kept = {name: getattr(existing, name) for name in (*PLATFORM_FIELDS, *uncarried)}
    if not incoming.id:
        kept["id"] = existing.id
    merged = replace(copy.deepcopy(incoming), **copy.deepcopy(kept))
    merged.category, merged.line = "", existing.line
    return merged


def merge(
    bank: Bank, language: str, incoming: list[Question], uncarried: Uncarried
) -> list[Outcome]:
    """Merge imported questions (in `language`) into the bank, in place.

    A question found again is unchanged, or updated in this language (its group follows the
    file's category); one not found is new, added to every language (others get a copy to
    translate). Nothing in the bank is removed.
    """
    index = _Index(language)
    for entry in bank.entries:
        question = entry.texts[language]
        if question.id:
            index.by_id.setdefault(question.id, []).append(entry)
        index.by_hash.setdefault(content_hash(question, uncarried(question)), []).append(entry)
    outcomes = []
    for question in incoming:
        skip = uncarried(question)
        group = group_of(question.category)
        found = index.take(question, content_hash(question, skip))
        if found is None:
            added = replace(copy.deepcopy(question), category="")
            entry = Entry(group, {lang: copy.deepcopy(added) for lang in bank.languages})
            _add(bank, entry)
            outcomes.append(Outcome(question, "new", entry))
            continue
        entry, existing = found, found.texts[language]
        # The same content (a range and its middle +- half are the same): the quiz's own
        # wording of it stays; else the file's, with what the file cannot say kept.
        if content_hash(existing, skip) == content_hash(question, skip):
            merged = copy.deepcopy(existing)
            merged.id = question.id or existing.id
        else:
            merged = _merged(question, existing, skip)
        status = "unchanged" if merged == existing and entry.group == group else "updated"
        entry.texts[language] = merged
        if entry.group != group:
            _move(bank, entry, group)
        outcomes.append(Outcome(question, status, entry))
    return outcomes


def _size(bank: Bank, group: str | None) -> int:
    return sum(1 for entry in bank.entries if entry.group == group)


def _add(bank: Bank, entry: Entry) -> None:
    """Append an entry to its group; a group asked in full (pick = its size) stays so."""
    if entry.group is not None:
        size = _size(bank, entry.group)
        if entry.group not in bank.picks or bank.picks[entry.group] >= size:
            bank.picks[entry.group] = size + 1
    bank.entries.append(entry)


def _move(bank: Bank, entry: Entry, group: str | None) -> None:
    bank.entries.remove(entry)
    if entry.group is not None and bank.picks.get(entry.group, 0) > _size(bank, entry.group):
        bank.picks[entry.group] = max(1, _size(bank, entry.group))
    entry.group = group
    _add(bank, entry)


def drop_duplicate_ids(questions: list[Question], path: str) -> list[Problem]:
    """An id names one question: a second question with it keeps no id, as Moodle does."""
    problems = []
    seen: set[str] = set()
    for question in questions:
        if question.id and question.id in seen:
            problems.append(
                Problem(
                    path,
                    question.line,
                    f"the id {question.id} is given to an earlier question: this one has none",
                    is_warning=True,
                )
            )
            question.id = ""
        seen.add(question.id)
    return problems
