"""Moodle GIFT import and export, reading questions the way Moodle's own qformat_gift does.

docs/gift.md compares this reader with Moodle's (question/format/gift/format.php) rule by rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.core.sources import Problem
from app.questions.gift_syntax import GiftBlock, escape, escape_text, protect, restore
from app.questions.model import Question
from app.questions.registry import QUESTION_TYPES
from app.questions.text_formats import unify

# Moodle puts this where a missing-word question's answer block was; while the text is
# converted it is a placeholder, so that [plain] escaping leaves it alone.
BLANK = "_____"
_BLANK_MARK = "\ue010"
_BLANK_RE = re.compile(r"(?<!_)_____(?!_)")
TOP_CATEGORY = "$course$/top"
# Moodle's metadata in a question's comment lines: "// [id:q-17] [tag:week 1]", "]" as "\]".
_ID_RE = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG_RE = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")


@dataclass
class _Lines:
    """One block of the file: its text lines with their numbers, and its comment lines."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


def _question_type(answers: str) -> str:
    """Moodle's own order of tests on the text between the braces: each type in turn claims it."""
    kinds = [kind for kind in QUESTION_TYPES.values() if kind.gift_order is not None]
    kinds.sort(key=lambda kind: kind.gift_order or 0)
    return next(kind.name for kind in kinds if kind.gift_claims(answers))


def _title(block: GiftBlock, text: str) -> tuple[str, str]:
    if not text.startswith("::"):
        return "", text
    text = text[2:]
    end = text.find("::")
    if end == -1:
        block.warn("the title has no closing '::'")
        return "", text
    return " ".join(restore(text[:end]).split()), text[end + 2 :].strip()


def _read_block(block: GiftBlock, text: str, category: str) -> Question | None:
    title, text = _title(block, text)
    start, end = text.find("{"), text.find("}")
    question = Question(type="description", title=title, category=category, line=block.line)
    if start == -1 and end == -1:
        stem, answers = text, None
    elif start == -1 or end == -1 or end < start:
        block.warn(
            "the answers need both '{' and '}' in that order (escape a literal one: \\{): skipped"
        )
        return None
    else:
        # Moodle: a block that ends the text leaves no blank; one in the middle leaves _____.
        blank = "" if text.endswith("}") else _BLANK_MARK
        stem, answers = text[:start] + blank + text[end + 1 :], text[start + 1 : end].strip()
    text, form = block.text(stem)
    # (an HtmlText stays one: it says that the question is HTML)
    question.stem = type(text)(text.replace(_BLANK_MARK, BLANK))
    if answers is not None:
        general = answers.rfind("####")
        if general != -1:
            question.general_feedback = block.text(answers[general + 4 :], form)[0]
            answers = answers[:general].strip()
        question.type = _question_type(answers)
        if not QUESTION_TYPES[question.type].from_gift(block, question, answers, form):
            return None
    unify(question)
    for message in QUESTION_TYPES[question.type].validate(question):
        block.warn(message)
    return question


def _metadata(question: Question, comments: list[str]) -> None:
    """Moodle's [id:...] (the first one) and [tag:...] from the block's comment lines."""
    text = "\n".join(comments)
    match = _ID_RE.search(text)
    question.id = match[1].replace("\\]", "]").strip() if match else ""
    question.tags = [tag.replace("\\]", "]").strip() for tag in _TAG_RE.findall(text)]


def _blocks(text: str) -> list[_Lines]:
    """The file split at blank lines; comment lines neither start nor end a block."""
    lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks = [_Lines()]
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            blocks.append(_Lines())
        elif stripped.startswith("//"):
            blocks[-1].comments.append(stripped)
        else:
            blocks[-1].lines.append((number, stripped))
    return [block for block in blocks if block.lines]


def parse_gift(text: str, path: str = "-") -> tuple[list[Question], list[Problem]]:
    """Questions from GIFT text; what cannot be read or represented is a warning at its line."""
    problems: list[Problem] = []
    questions: list[Question] = []
    category = ""
    for lines in _blocks(text):
        block = GiftBlock(path, lines.lines[0][0], problems)
        try:
            body = protect("\n".join(text for _, text in lines.lines))
            if body.startswith("$CATEGORY:"):
                head, _, body = body.partition("\n")
                category = restore(head[len("$CATEGORY:") :]).strip()
                if not body.strip():
                    continue
                block.line = lines.lines[1][0]
                block.warn("a question right after $CATEGORY: needs a blank line before it")
            question = _read_block(block, body.strip(), category)
        except Exception as error:  # one broken block must not stop the import of the others
            block.warn(f"could not read this question (internal error: {error!r})")
            continue
        if question is not None:
            _metadata(question, lines.comments)
            questions.append(question)
    return questions, problems


def _bracketed(text: str) -> str:
    return " ".join(text.split()).replace("]", "\\]")


def _metadata_line(question: Question) -> str:
    """Moodle's comment line for the idnumber and tags, as its own GIFT export writes it."""
    bits = [f"[id:{_bracketed(question.id)}]"] if question.id else []
    bits += [f"[tag:{_bracketed(tag)}]" for tag in question.tags]
    return f"// {' '.join(bits)}\n" if bits else ""


def export_question(question: Question) -> str:
    """One question as a GIFT block; points, competences and +/- feedback have no GIFT form."""
    form = question.format
    head = _metadata_line(question)
    head += f"::{escape(question.title)}::" if question.title else ""
    head += f"[{form}]" if question.stem else ""
    general = (
        f"####{escape_text(question.general_feedback, form)}" if question.general_feedback else ""
    )
    block = QUESTION_TYPES[question.type].to_gift(question, general)
    if block is None:
        return head + escape(question.stem)
    blanks = list(_BLANK_RE.finditer(question.stem))
    if len(blanks) == 1 and question.stem[blanks[0].end() :].strip():
        # A missing-word question: the answers go where the blank is, as the author wrote them.
        before, after = question.stem[: blanks[0].start()], question.stem[blanks[0].end() :]
        return head + escape(before) + block + escape(after)
    return head + escape(question.stem) + block


def export_gift(questions: list[Question]) -> str:
    """GIFT text for the questions, with a $CATEGORY line wherever the category changes."""
    blocks: list[str] = []
    category = ""
    for question in questions:
        if question.category != category:
            category = question.category
            # Back to no category: the course's top one, where Moodle puts what has none.
            blocks.append(f"$CATEGORY: {' '.join(category.split()) or TOP_CATEGORY}")
        blocks.append(export_question(question))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def gift_uncarried(question: Question) -> tuple[str, ...]:
    """What GIFT cannot say of the question (its type knows)."""
    return QUESTION_TYPES[question.type].gift_loses
