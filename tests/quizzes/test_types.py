"""Grading and checking of every question type, without a database or an app."""

from __future__ import annotations

import json

import pytest

from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.types import QUESTION_TYPES, TYPE_NAMES, grade
from app.questions.types.matching import Matching
from app.questions.values import normalize_text, parse_number, strip_diacritics


def single() -> Question:
    return Question(
        "single",
        stem="What is 2+3?",
        answers=[Answer("6", 0.0, "no"), Answer("5", 1.0, "yes"), Answer("4", 0.25, "close")],
        correct_feedback="Right!",
        incorrect_feedback="Not quite.",
    )


def multiple() -> Question:
    return Question(
        "multiple",
        stem="Which are dinosaurs?",
        answers=[
            Answer("Mammoth", -0.5, "a mammal"),
            Answer("T. rex", 0.5),
            Answer("Triceratops", 0.5),
            Answer("Smilodon", -0.5),
        ],
    )


def truefalse(correct: bool = True) -> Question:
    return Question(
        "truefalse",
        stem="The sun rises in the east.",
        answers=[
            Answer("True", 1.0 if correct else 0.0, "true chosen"),
            Answer("False", 0.0 if correct else 1.0, "false chosen"),
        ],
    )


def shortanswer(ignore_diacritics: bool = False) -> Question:
    return Question(
        "shortanswer",
        stem="Capital of Slovenia?",
        answers=[
            Answer("Ljubljana", 1.0, "yes"),
            Answer("Lublana", 0.5, "spelling"),
            Answer("LJUBLJANA", 0.75, "duplicate, lower credit"),
        ],
        ignore_diacritics=ignore_diacritics,
    )


def numerical() -> Question:
    return Question(
        "numerical",
        stem="Pi?",
        numerical=[
            NumericalAnswer(3.14, 0.01, feedback="good"),
            NumericalAnswer(min=3.0, max=3.3, fraction=0.5, feedback="close"),
            NumericalAnswer(3.5, 0.1, fraction=0.25),
        ],
    )


def matching() -> Question:
    return Question(
        "matching",
        stem="Match the capitals.",
        pairs=[
            Pair("Slovenia", "Ljubljana"),
            Pair("Croatia", "Zagreb"),
            Pair("Austria", "Vienna"),
            Pair("", "Budapest"),
        ],
    )


def essay() -> Question:
    return Question("essay", stem="Describe your work.")


def description() -> Question:
    return Question("description", stem="Read this first.")


ALL = [single, multiple, truefalse, shortanswer, numerical, matching, essay, description]


def test_the_registry_has_every_type_under_its_own_name() -> None:
    assert tuple(QUESTION_TYPES) == TYPE_NAMES
    for name, kind in QUESTION_TYPES.items():
        assert kind.name == name
    assert not QUESTION_TYPES["essay"].is_graded_automatically
    assert not QUESTION_TYPES["description"].has_score
    graded = [name for name, kind in QUESTION_TYPES.items() if kind.is_graded_automatically]
    assert "essay" not in graded
    assert "single" in graded


@pytest.mark.parametrize("make", ALL)
def test_every_example_question_is_valid(make) -> None:
    question = make()
    assert QUESTION_TYPES[question.type].validate(question) == []


@pytest.mark.parametrize("make", ALL[:6])
def test_the_correct_response_gets_full_marks(make) -> None:
    question = make()
    response = QUESTION_TYPES[question.type].correct_response(question)
    assert grade(question, response).fraction == 1.0


@pytest.mark.parametrize(
    ("response", "fraction", "feedback"),
    [
        (1, 1.0, ["yes", "Right!"]),
        (0, 0.0, ["no", "Not quite."]),
        (2, 0.25, ["close", "Not quite."]),
        ("1", 1.0, ["yes", "Right!"]),
        (None, 0.0, ["Not quite."]),
        (7, 0.0, ["Not quite."]),
        (-1, 0.0, ["Not quite."]),
        (True, 0.0, ["Not quite."]),
        ("x", 0.0, ["Not quite."]),
    ],
)
def test_single_choice(response, fraction, feedback) -> None:
    result = grade(single(), response)
    assert result.fraction == fraction
    assert result.feedback == feedback


def test_single_choice_negative_weight_never_goes_below_zero() -> None:
    question = single()
    question.answers[0].fraction = -0.5
    assert grade(question, 0).fraction == 0.0


@pytest.mark.parametrize(
    ("response", "fraction"),
    [
        ({1, 2}, 1.0),
        ([1], 0.5),
        ([1, 0], 0.0),
        ([0], 0.0),
        ([0, 3], 0.0),  # -100% in sum, but never below 0
        ([0, 1, 2, 3], 0.0),
        ([0, 1, 2], 0.5),
        (["1", "2"], 1.0),
        ([1, 1, 1], 0.5),  # a repeated index counts once
        ([1, 99, -1, None, "x"], 0.5),  # nonsense from a forged form is ignored
        (set(), 0.0),
        (None, 0.0),
        ("12", 0.0),
    ],
)
def test_multiple_answers_sum_clamped(response, fraction) -> None:
    assert grade(multiple(), response).fraction == fraction


def test_multiple_answers_clamps_above_one_and_gives_each_chosen_feedback() -> None:
    question = multiple()
    question.answers[1].fraction = 0.8
    result = grade(question, [0, 1, 2])
    assert result.fraction == pytest.approx(0.8)
    assert result.feedback == ["a mammal"]
    assert grade(question, [1, 2]).fraction == 1.0


def test_thirds_add_up_to_full_marks() -> None:
    question = Question(
        "multiple", stem="?", answers=[Answer(str(i), 1 / 3) for i in range(3)] + [Answer("x")]
    )
    assert grade(question, [0, 1, 2]).fraction == 1.0


@pytest.mark.parametrize(
    ("correct", "response", "fraction", "feedback"),
    [
        (True, True, 1.0, ["true chosen"]),
        (True, False, 0.0, ["false chosen"]),
        (False, False, 1.0, ["false chosen"]),
        (False, True, 0.0, ["true chosen"]),
        (True, None, 0.0, []),
        (True, "True", 0.0, []),
    ],
)
def test_true_false(correct, response, fraction, feedback) -> None:
    result = grade(truefalse(correct), response)
    assert (result.fraction, result.feedback) == (fraction, feedback)
    assert QUESTION_TYPES["truefalse"].correct_response(truefalse(correct)) is correct


@pytest.mark.parametrize(
    ("response", "fraction"),
    [
        ("Ljubljana", 1.0),
        ("  ljubljana ", 1.0),
        ("LJUBLJANA", 1.0),  # best match wins over the 75% duplicate
        ("lublana", 0.5),
        ("Ljub ljana", 0.0),
        ("", 0.0),
        (None, 0.0),
        (42, 0.0),
    ],
)
def test_short_answer(response, fraction) -> None:
    assert grade(shortanswer(), response).fraction == fraction


def test_short_answer_collapses_inner_whitespace() -> None:
    question = Question("shortanswer", stem="?", answers=[Answer("center za socialno delo", 1.0)])
    assert grade(question, "Center  za\tsocialno\n delo").fraction == 1.0


@pytest.mark.parametrize(
    ("accepted", "typed", "exact", "ignoring"),
    [
        ("čevapčiči", "cevapcici", 0.0, 1.0),
        ("Đakovo", "dakovo", 0.0, 1.0),
        ("đak", "DJAK", 0.0, 0.0),  # đ is d, not dj
        ("Šiška", "šiška", 1.0, 1.0),
        ("Šiška", "Sˇiška", 0.0, 0.0),
        ("Šiška", "S\u030ciška", 1.0, 1.0),  # decomposed S + caron equals Š
        ("Čakovec", "Cakovec", 0.0, 1.0),
        ("Žalec", "zalec", 0.0, 1.0),
        ("Ćuprija", "cuprija", 0.0, 1.0),
    ],
)
def test_short_answer_diacritics(accepted, typed, exact, ignoring) -> None:
    exact_question = Question("shortanswer", stem="?", answers=[Answer(accepted, 1.0)])
    ignoring_question = Question(
        "shortanswer", stem="?", answers=[Answer(accepted, 1.0)], ignore_diacritics=True
    )
    assert grade(exact_question, typed).fraction == exact
    assert grade(ignoring_question, typed).fraction == ignoring


def test_strip_diacritics_and_normalize() -> None:
    assert strip_diacritics("Đurđevac čšž ćČŠŽ") == "Durdevac csz cCSZ"
    assert normalize_text("  Đurđevac \t X ", ignore_diacritics=True) == "durdevac x"
    assert normalize_text("ÉTÉ") == "été"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("3.5", 3.5),
        ("3,5", 3.5),
        (" -3,5 ", -3.5),
        ("\u22123,5", -3.5),
        ("+2", 2.0),
        ("1 000", 1000.0),
        ("1\u00a0000,5", 1000.5),
        ("1.000,5", 1000.5),
        ("1,000.5", 1000.5),
        ("1.000.000", 1000000.0),
        ("1,000,000", 1000000.0),
        ("1'000", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("1e3", 1000.0),
        ("2,5e-1", 0.25),
        ("1,2,3", None),
        ("1.2.3", None),
        ("", None),
        ("abc", None),
        ("3,5 km", None),
        ("nan", None),
        ("inf", None),
        ("1e999", None),
        ("1_000", None),
        ("٣", None),
        (None, None),
        (3.5, None),
    ],
)
def test_parse_number(text, number) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize(
    ("response", "fraction", "feedback"),
    [
        ("3.14", 1.0, ["good"]),
        ("3,14", 1.0, ["good"]),
        ("3.15", 1.0, ["good"]),  # within the tolerance, at its edge
        ("3.13", 1.0, ["good"]),
        ("3.151", 0.5, ["close"]),  # the range gives half
        ("3", 0.5, ["close"]),  # ranges include their ends
        ("3,3", 0.5, ["close"]),
        ("3.4", 0.25, []),  # 3.5 +- 0.1, despite 3.5 - 0.1 != 3.4 in binary
        ("3.6", 0.25, []),
        ("3.61", 0.0, []),
        ("2.99", 0.0, []),
        ("pi", 0.0, []),
        ("", 0.0, []),
        (None, 0.0, []),
    ],
)
def test_numerical(response, fraction, feedback) -> None:
    result = grade(numerical(), response)
    assert (result.fraction, result.feedback) == (fraction, feedback)


def test_numerical_exact_and_incorrect_feedback() -> None:
    question = Question(
        "numerical", stem="?", numerical=[NumericalAnswer(42)], incorrect_feedback="No."
    )
    assert grade(question, "42").fraction == 1.0
    assert grade(question, "42,0").fraction == 1.0
    assert grade(question, "42.001").fraction == 0.0
    assert grade(question, "41").feedback == ["No."]
    assert QUESTION_TYPES["numerical"].correct_response(question) == "42"


def test_numerical_correct_response_of_a_range_is_inside_it() -> None:
    question = Question("numerical", stem="?", numerical=[NumericalAnswer(min=1, max=5)])
    assert QUESTION_TYPES["numerical"].correct_response(question) == "3"


@pytest.mark.parametrize(
    ("response", "fraction"),
    [
        ({0: "Ljubljana", 1: "Zagreb", 2: "Vienna"}, 1.0),
        ({"0": "Ljubljana", "1": " Zagreb ", "2": "Vienna"}, 1.0),
        ({0: "Ljubljana", 1: "Vienna", 2: "Zagreb"}, 1 / 3),
        ({0: "Ljubljana", 1: "Zagreb", 2: "Budapest"}, 2 / 3),
        ({0: "Ljubljana", 3: "Budapest"}, 1 / 3),  # a distractor row is not scored
        ({0: 0, 1: 1, 2: 2}, 0.0),  # indexes are not accepted: the text is the answer
        ({}, 0.0),
        (None, 0.0),
    ],
)
def test_matching(response, fraction) -> None:
    assert grade(matching(), response).fraction == pytest.approx(fraction)


def test_matching_options_include_distractors_once() -> None:
    question = matching()
    question.pairs.append(Pair("Hungary", "Budapest"))
    assert Matching.right_options(question) == ["Budapest", "Ljubljana", "Vienna", "Zagreb"]


def test_essay_and_description_are_not_graded_here() -> None:
    assert grade(essay(), "My text").fraction is None
    assert grade(description(), None).fraction is None
    assert QUESTION_TYPES["essay"].correct_response(essay()) is None


@pytest.mark.parametrize(
    ("question", "message", "item"),
    [
        (Question("single", stem="", answers=[Answer("a", 1), Answer("b")]), "empty", None),
        (Question("single", stem="?", answers=[Answer("a"), Answer("b")]), "no correct", None),
        (
            Question("single", stem="?", answers=[Answer("a", 1), Answer("b"), Answer("c", 1)]),
            "more than one correct",
            2,
        ),
        (Question("single", stem="?", answers=[Answer("a", 1)]), "at least two", None),
        (Question("single", stem="?", answers=[Answer("a", 1), Answer(" ")]), "is empty", 1),
        (
            Question("multiple", stem="?", answers=[Answer("a", 0.5), Answer("b", 0.25)]),
            "add up to 75%",
            None,
        ),
        (
            Question("multiple", stem="?", answers=[Answer("a", 1), Answer("b", -1.5)]),
            "outside",
            1,
        ),
        (Question("truefalse", stem="?", answers=[Answer("Yes", 1), Answer("No")]), "True", None),
        (
            Question("truefalse", stem="?", answers=[Answer("True", 1), Answer("False", 1)]),
            "exactly one",
            None,
        ),
        (Question("shortanswer", stem="?", answers=[Answer("a", 0.5)]), "full marks", None),
        (Question("shortanswer", stem="?"), "at least one", None),
        (Question("numerical", stem="?"), "at least one", None),
        (
            Question("numerical", stem="?", numerical=[NumericalAnswer(min=5, max=1)]),
            "above its maximum",
            0,
        ),
        (Question("numerical", stem="?", numerical=[NumericalAnswer()]), "missing", 0),
        (Question("matching", stem="?", pairs=[Pair("a", "b"), Pair("", "c")]), "two pairs", None),
        (Question("matching", stem="?", pairs=[Pair("a", "b"), Pair("c", "")]), "no right", 1),
        (Question("essay", stem="?", answers=[Answer("a")]), "no answers", None),
        (Question("essay", stem="?", correct_feedback="Yes"), "general feedback", None),
        (Question("description", stem="?", competence="x", competence_level=2), "competence", None),
        (
            Question("single", stem="?", answers=[Answer("a", 1), Answer("b")], points=0),
            "points",
            None,
        ),
        (
            Question("single", stem="?", answers=[Answer("a", 1), Answer("b")], competence_level=5),
            "outside 0-4",
            None,
        ),
    ],
)
def test_check_finds(question, message, item) -> None:
    issues = QUESTION_TYPES[question.type].check(question)
    matching_issues = [issue for issue in issues if message in issue.message]
    assert matching_issues, issues
    assert matching_issues[0].item == item


def test_to_json_shapes() -> None:
    shapes = {make().type: make().to_json() for make in ALL}
    assert shapes["single"] == {
        "type": "single",
        "title": "",
        "stem": "What is 2+3?",
        "answers": [
            {"text": "6", "fraction": 0.0, "feedback": "no"},
            {"text": "5", "fraction": 1.0, "feedback": "yes"},
            {"text": "4", "fraction": 0.25, "feedback": "close"},
        ],
        "general_feedback": "",
        "correct_feedback": "Right!",
        "incorrect_feedback": "Not quite.",
        "category": "",
        "id": "",
        "tags": [],
        "format": "markdown",
        "points": 1.0,
    }
    assert shapes["truefalse"]["answers"][0] == {
        "text": "True",
        "fraction": 1.0,
        "feedback": "true chosen",
    }
    assert shapes["numerical"]["answers"] == [
        {"value": 3.14, "tolerance": 0.01, "fraction": 1.0, "feedback": "good"},
        {"min": 3.0, "max": 3.3, "fraction": 0.5, "feedback": "close"},
        {"value": 3.5, "tolerance": 0.1, "fraction": 0.25, "feedback": ""},
    ]
    assert shapes["matching"]["pairs"][0] == {"left": "Slovenia", "right": "Ljubljana"}
    assert "answers" not in shapes["matching"]
    common = {"type", "title", "stem", "general_feedback", "category", "id", "tags", "format"}
    feedback = {"correct_feedback", "incorrect_feedback", "points"}
    assert set(shapes["essay"]) == common | feedback
    assert set(shapes["description"]) == set(shapes["essay"])
    json.dumps(shapes)  # plain JSON all the way down


def test_line_is_not_part_of_equality() -> None:
    assert Question("essay", stem="?", line=3) == Question("essay", stem="?", line=9)
