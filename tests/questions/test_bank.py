"""Question banks: export then import gives the same bank (GIFT, Moodle XML, the quiz file),
every question of a file is a question of its own, and a re-import finds each one again."""

from __future__ import annotations

import copy
import html
from dataclasses import replace
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.questions.bank import Bank, group_of, merge
from app.questions.gift import export_gift, gift_uncarried, parse_gift
from app.questions.markdown_fit import fit_quiz_file
from app.questions.markdown_format import QuizSettings, dump_quiz, parse_quiz
from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.moodle_xml import parse_moodle_xml, xml_uncarried
from app.questions.moodle_xml_export import default_name, export_moodle_xml
from app.questions.registry import QUESTION_TYPES
from app.questions.text_formats import clean_html

DATA = Path(__file__).parent / "data"
# GIFT's and Markdown's special characters among ordinary ones.
ALPHABET = "abcxyzABČšž019 ~=#{}:\\[]*_<>&%().,!?-|'\"/@$"
SETTINGS = {"sl": QuizSettings(title="Kviz"), "hr": QuizSettings(title="Kviz hr")}


def _word() -> st.SearchStrategy[str]:
    return st.text(alphabet=ALPHABET, min_size=1, max_size=10).filter(
        lambda word: any(char.isalnum() for char in word)
    )


@st.composite
def _text(draw: Any, form: str, lines: bool = True) -> str:
    words = draw(st.lists(_word(), min_size=1, max_size=5))
    if form == "html":
        inner = html.escape(" ".join(words), quote=False)
        return clean_html(f"<p>{inner}</p>" if lines else f"<strong>{inner}</strong>")
    joiner = draw(st.sampled_from([" ", "\n", "\n\n"])) if lines else " "
    return joiner.join(words)


def _typed() -> st.SearchStrategy[str]:
    # A short answer in GIFT cannot hold "->": Moodle would read a matching question.
    return st.lists(_word(), min_size=1, max_size=3).map(" ".join).filter(lambda t: "->" not in t)


@st.composite
def _answers(draw: Any, kind: str, form: str) -> list[Answer]:
    count = draw(st.integers(2, 4))
    texts = [draw(_text(form, lines=False)) for _ in range(count)]
    feedback = [draw(st.one_of(st.just(""), _text(form))) for _ in range(count)]
    if kind == "single":
        fractions = [1.0] + [draw(st.sampled_from([0.0, 0.5, -0.25, -1.0])) for _ in texts[1:]]
    else:
        right = draw(st.integers(1, count))
        share = round(1 / right, 9)
        fractions = [share] * right + [-1.0] * (count - right)
    return [Answer(t, f, fb) for t, f, fb in zip(texts, fractions, feedback, strict=True)]


NUMBERS = st.sampled_from([0.0, 1.0, 3.5, -2.25, 1822.0, 1e-05, 0.1])


@st.composite
def questions(draw: Any, ranges: bool = True) -> Question:
    kind = draw(st.sampled_from(list(QUESTION_TYPES)))
    form = draw(st.sampled_from(["markdown", "html"]))
    question = Question(kind, stem=draw(_text(form)), format=form)
    question.title = draw(st.one_of(st.just(""), _word().map(lambda w: "T " + w)))
    question.id = draw(st.one_of(st.just(""), _word().map(lambda w: "id-" + w)))
    question.tags = draw(st.lists(_word().map(lambda w: "tag " + w), max_size=2))
    question.category = draw(st.sampled_from(["", "$course$/top/Week 1", "$course$/top/B/c"]))
    question.general_feedback = draw(st.one_of(st.just(""), _text(form)))
    if QUESTION_TYPES[kind].has_score:
        question.points = draw(st.sampled_from([1.0, 2.0, 0.5]))
    if kind in ("single", "multiple"):
        question.answers = draw(_answers(kind, form))
        question.correct_feedback = draw(st.one_of(st.just(""), _text(form)))
    elif kind == "truefalse":
        right = draw(st.booleans())
        question.answers = [
            Answer("True", float(right), draw(st.one_of(st.just(""), _text(form)))),
            Answer("False", float(not right), draw(st.one_of(st.just(""), _text(form)))),
        ]
    elif kind == "shortanswer":
        texts = draw(st.lists(_typed(), min_size=1, max_size=3))
        question.answers = [Answer(t, 1.0 if i == 0 else 0.5) for i, t in enumerate(texts)]
    elif kind == "numerical":
        question.numerical = [NumericalAnswer(draw(NUMBERS), abs(draw(NUMBERS)))]
        if ranges and draw(st.booleans()):
            question.numerical.append(NumericalAnswer(min=-1.0, max=2.5, fraction=0.5))
        question.incorrect_feedback = draw(st.one_of(st.just(""), _text(form)))
    elif kind == "matching":
        lefts = draw(st.lists(_text(form, lines=False), min_size=2, max_size=3))
        question.pairs = [Pair(left, draw(_typed())) for left in lefts]
        if draw(st.booleans()):
            question.pairs.append(Pair("", draw(_typed())))
    fit_quiz_file(question)
    assert QUESTION_TYPES[kind].validate(question) == [], question
    return question


def _as_read(question: Question, lost: tuple[str, ...]) -> Question:
    """What a format gives back: what it cannot say at the defaults, the category's group."""
    defaults = Question(question.type)
    kept = replace(copy.deepcopy(question), **{name: getattr(defaults, name) for name in lost})
    kept.category = group_of(question.category) or ""
    return kept


def _read_back(read: list[Question], lost: Any) -> list[Question]:
    for question in read:
        fit_quiz_file(question)
    return [_as_read(question, lost(question)) for question in read]


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.lists(questions(), min_size=1, max_size=6))
def test_gift_export_then_import_gives_the_same_bank(bank: list[Question]) -> None:
    read, problems = parse_gift(export_gift(bank), "export.gift")
    assert problems == []
    assert _read_back(read, gift_uncarried) == [_as_read(q, gift_uncarried(q)) for q in bank]


@PROPERTY
@given(st.lists(questions(ranges=False), min_size=1, max_size=6))
def test_moodle_xml_export_then_import_gives_the_same_bank(bank: list[Question]) -> None:
    bank = [q for q in bank if q.title != default_name(q)]
    read, problems = parse_moodle_xml(export_moodle_xml(bank).encode("utf-8"), "x.xml")
    assert problems == []
    assert _read_back(read, xml_uncarried) == [_as_read(q, xml_uncarried(q)) for q in bank]


def _bank_of(questions_: list[Question]) -> Bank:
    bank = Bank.from_sources({}, ["sl", "hr"], SETTINGS)
    merge(bank, "sl", copy.deepcopy(questions_), lambda question: ())
    return bank


@PROPERTY
@given(st.lists(questions(), min_size=1, max_size=8))
def test_the_quiz_files_read_back_the_same_bank(questions_: list[Question]) -> None:
    seen: set[str] = set()
    for question in questions_:  # an id names one question of a quiz
        question.id = "" if question.id in seen else question.id
        seen.add(question.id)
    for language, source in _bank_of(questions_).sources().items():
        text = dump_quiz(source)
        again, problems = parse_quiz(text, f"quiz.{language}.md")
        assert [p for p in problems if not p.is_warning] == [], text
        assert again == source


@PROPERTY
@given(st.lists(questions(), min_size=1, max_size=8))
def test_a_reimport_finds_every_question_again(questions_: list[Question]) -> None:
    bank = _bank_of(questions_)
    outcomes = merge(bank, "sl", copy.deepcopy(questions_), gift_uncarried)
    assert [outcome.status for outcome in outcomes] == ["unchanged"] * len(questions_)
    assert len(bank.entries) == len(questions_)


def test_a_file_with_n_questions_stores_n_even_when_they_are_the_same() -> None:
    questions_, _ = parse_gift((DATA / "bank.gift").read_text(encoding="utf-8"), "bank.gift")
    twice = questions_ + copy.deepcopy(questions_)  # a file with every question twice
    bank = Bank.from_sources({}, ["sl"], SETTINGS)
    outcomes = merge(bank, "sl", twice, gift_uncarried)
    assert [o.status for o in outcomes] == ["new"] * 24
    assert len(bank.entries) == 24
    again = merge(bank, "sl", copy.deepcopy(twice), gift_uncarried)
    assert [o.status for o in again] == ["unchanged"] * 24
    assert len(bank.entries) == 24
    assert len(bank.sources()["sl"].questions) == 24


def test_an_id_finds_a_changed_question_and_content_finds_one_without() -> None:
    bank = Bank.from_sources({}, ["sl", "hr"], SETTINGS)
    first = [
        Question("essay", stem="With id", id="q1"),
        Question("essay", stem="Without id"),
        Question("essay", stem="Moved", category="$course$/top/A"),
    ]
    merge(bank, "sl", copy.deepcopy(first), gift_uncarried)
    bank.entries[0].texts["hr"].stem = "S id (prevedeno)"
    second = [
        Question("essay", stem="With id, reworded", id="q1"),
        Question("essay", stem="Without id, reworded"),
        Question("essay", stem="Moved", category="$course$/top/B"),
    ]
    outcomes = merge(bank, "sl", second, gift_uncarried)
    assert [o.status for o in outcomes] == ["updated", "new", "updated"]
    assert [e.texts["sl"].stem for e in bank.entries] == [
        "With id, reworded",
        "Without id",
        "Without id, reworded",
        "Moved",
    ]
    # The translation stays as the translator left it; a new question is copied to translate.
    assert bank.entries[0].texts["hr"].stem == "S id (prevedeno)"
    assert bank.entries[2].texts["hr"].stem == "Without id, reworded"
    assert [(g.name, g.pick) for g in bank.sources()["sl"].groups] == [("B", 1)]


def test_what_the_format_cannot_say_is_kept_from_the_quiz() -> None:
    bank = Bank.from_sources({}, ["sl"], SETTINGS)
    merge(bank, "sl", [Question("essay", stem="Why?")], gift_uncarried)
    bank.entries[0].texts["sl"].points = 3.0
    bank.entries[0].texts["sl"].competence = "cooperation"
    bank.entries[0].texts["sl"].competence_level = 2
    outcomes = merge(bank, "sl", [Question("essay", stem="Why?")], gift_uncarried)
    assert outcomes[0].status == "unchanged"
    assert bank.entries[0].texts["sl"].points == 3.0
    assert bank.entries[0].texts["sl"].competence == "cooperation"


def test_a_pool_asked_in_full_grows_and_a_chosen_pick_stays() -> None:
    bank = Bank.from_sources({}, ["sl"], SETTINGS)
    pool = [Question("essay", stem=f"Q{i}", category="$course$/top/Pool") for i in range(3)]
    merge(bank, "sl", pool, gift_uncarried)
    assert bank.picks == {"Pool": 3}
    merge(bank, "sl", [Question("essay", stem="Q3", category="$course$/top/Pool")], gift_uncarried)
    assert bank.picks == {"Pool": 4}
    bank.picks["Pool"] = 2
    merge(bank, "sl", [Question("essay", stem="Q4", category="$course$/top/Pool")], gift_uncarried)
    assert bank.picks == {"Pool": 2}


def test_category_paths_and_groups() -> None:
    assert group_of("$course$/top/Week 1") == "Week 1"
    assert group_of("$course$/top/Default for X/Week 1") == "Default for X/Week 1"
    assert group_of("$system$/top/A") == "A"
    assert group_of("tom/dick/harry") == "tom/dick/harry"
    assert group_of("$course$/top") is None
    assert group_of("") is None
    assert group_of("top") is None
