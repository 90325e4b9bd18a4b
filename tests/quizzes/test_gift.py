"""Moodle GIFT import and export: every construct, Moodle's own examples, round trips, garbage."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from app.questions.bank import group_of
from app.questions.gift import export_gift, parse_gift
from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.text_formats import HtmlText
from tests.questions.helpers import emphasis, shown

DATA = Path(__file__).parent / "data"


def one(text: str) -> Question:
    questions, problems = parse_gift(text, "q.gift")
    assert problems == [], [str(problem) for problem in problems]
    assert len(questions) == 1
    return questions[0]


def answers(question: Question) -> list[tuple[str, float, str]]:
    return [(answer.text, answer.fraction, answer.feedback) for answer in question.answers]


def test_multiple_choice_with_feedback_weights_and_general_feedback() -> None:
    question = one(
        "// a comment line\n"
        "::Colours::What's between orange and green?{\n"
        "  =yellow # right; good!\n"
        "  ~%50%greenish yellow#half\n"
        "  ~%-25%blue # wrong\n"
        "  ~red\n"
        "  ####Yellow is between them in the spectrum.\n"
        "}"
    )
    assert question.type == "single"
    assert question.title == "Colours"
    assert question.stem == "What's between orange and green?"
    assert answers(question) == [
        ("yellow", 1.0, "right; good!"),
        ("greenish yellow", 0.5, "half"),
        ("blue", -0.25, "wrong"),
        ("red", 0.0, ""),
    ]
    assert question.general_feedback == "Yellow is between them in the spectrum."
    assert question.line == 2


def test_multiple_answers_have_no_equals_sign() -> None:
    question = one("Which two? {~%-100%None ~%50%Grant ~%50%His wife ~%-100%His father}")
    assert question.type == "multiple"
    assert [answer.fraction for answer in question.answers] == [-1.0, 0.5, 0.5, -1.0]


def test_missing_word_leaves_a_blank_where_the_answers_were() -> None:
    question = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert question.stem == "Grant is _____ in Grant's tomb."
    assert one("Grant is buried in {=Grant's tomb}").stem == "Grant is buried in"
    assert one("{=Two} plus two is four.").stem == "_____ plus two is four."


@pytest.mark.parametrize(
    ("block", "correct", "true_feedback", "false_feedback"),
    [
        ("{T}", True, "", ""),
        ("{TRUE}", True, "", ""),
        ("{F}", False, "", ""),
        ("{FALSE}", False, "", ""),
        # Moodle: the first #feedback is for a wrong answer, the second for a right one.
        ("{TRUE#Wrong.#Right.}", True, "Right.", "Wrong."),
        ("{FALSE#Wrong.#Right.}", False, "Wrong.", "Right."),
        ("{FALSE#No one is buried there.}", False, "No one is buried there.", ""),
        ("{T##Right.####General.}", True, "Right.", ""),
    ],
)
def test_true_false(block, correct, true_feedback, false_feedback) -> None:
    question = one(f"The sun rises in the east.{block}")
    assert question.type == "truefalse"
    assert answers(question) == [
        ("True", 1.0 if correct else 0.0, true_feedback),
        ("False", 0.0 if correct else 1.0, false_feedback),
    ]


def test_general_feedback_of_true_false() -> None:
    assert one("Sky is blue.{T##Right.####General.}").general_feedback == "General."


def test_lowercase_true_is_a_short_answer_as_in_moodle_with_a_warning() -> None:
    questions, problems = parse_gift("\n\nIs it?{true}", "q.gift")
    assert questions[0].type == "shortanswer"
    assert [str(p) for p in problems] == [
        "q.gift:3: warning: '{true}' is a short answer, as in Moodle: write {TRUE} or {FALSE}"
    ]


def test_short_answer_with_weights_and_feedback() -> None:
    question = one(
        "Jesus Christ was from {\n=Nazareth#Yes!\n=%75%Nazereth#Misspelled.\n"
        "=%25%Bethlehem#Born there.\n}."
    )
    assert question.type == "shortanswer"
    assert answers(question) == [
        ("Nazareth", 1.0, "Yes!"),
        ("Nazereth", 0.75, "Misspelled."),
        ("Bethlehem", 0.25, "Born there."),
    ]
    assert question.stem == "Jesus Christ was from _____."
    assert answers(one("Capital? {Ljubljana}")) == [("Ljubljana", 1.0, "")]


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("{#3.14:0.01}", [NumericalAnswer(3.14, 0.01)]),
        ("{#1822}", [NumericalAnswer(1822)]),
        ("{#-5}", [NumericalAnswer(-5)]),
        ("{#1..5}", [NumericalAnswer(min=1, max=5)]),
        ("{#-5..-1}", [NumericalAnswer(min=-5, max=-1)]),
        ("{#3,5:0,1}", [NumericalAnswer(3.5, 0.1)]),
        (
            "{# =3.14:0.01 =%50%3.1:0.1}",
            [NumericalAnswer(3.14, 0.01), NumericalAnswer(3.1, 0.1, fraction=0.5)],
        ),
        (
            "{#\n=1822:0 #Correct!\n=%50%1822:2 #Close.\n}",
            [
                NumericalAnswer(1822, 0, feedback="Correct!"),
                NumericalAnswer(1822, 2, fraction=0.5, feedback="Close."),
            ],
        ),
    ],
)
def test_numerical(block, expected) -> None:
    question = one(f"Number?{block}")
    assert question.type == "numerical"
    assert question.numerical == expected


def test_numerical_feedback_for_any_other_answer() -> None:
    question = one("Year?{#=1822:0#Yes ~#Grant was born in 1822.}")
    assert question.numerical == [NumericalAnswer(1822, feedback="Yes")]
    assert question.incorrect_feedback == "Grant was born in 1822."
    assert one("Year?{#=1822 =*#Not that.}").incorrect_feedback == "Not that."


def test_matching_with_a_distractor_and_general_feedback() -> None:
    question = one(
        "Match the capitals. {\n=Canada -> Ottawa\n=Italy  -> Rome\n= -> Paris\n"
        "####Good to know.\n}"
    )
    assert question.type == "matching"
    assert question.pairs == [Pair("Canada", "Ottawa"), Pair("Italy", "Rome"), Pair("", "Paris")]
    assert question.general_feedback == "Good to know."


def test_essay_and_description() -> None:
    essay = one("::Q8:: How are you? {}")
    assert (essay.type, essay.title, essay.stem) == ("essay", "Q8", "How are you?")
    assert one("Write. {####We hope you're well.}").general_feedback == "We hope you're well."
    description = one("::Intro::The next questions are about Grant.")
    assert (description.type, description.title) == ("description", "Intro")


def test_categories_apply_to_the_following_questions() -> None:
    questions, problems = parse_gift(
        "First?{T}\n\n$CATEGORY: $course$/top/Week 1\n\nSecond?{T}\n\nThird?{F}\n\n"
        "$CATEGORY: tom/dick/harry\nFourth?{T}",
        "q.gift",
    )
    assert [q.category for q in questions] == [
        "",
        "$course$/top/Week 1",
        "$course$/top/Week 1",
        "tom/dick/harry",
    ]
    assert [str(p) for p in problems] == [
        "q.gift:10: warning: a question right after $CATEGORY: needs a blank line before it"
    ]


def test_every_escape() -> None:
    question = one(
        r"::Title\: with \{braces\}::Which is \~ \= \# \{ \} \: and \\?\nNext line{"
        "\n" + r"=\~tilde#\#1 \= best" + "\n" + r"~back\\slash \n newline" + "\n}"
    )
    assert question.title == "Title: with {braces}"
    assert shown(question.stem) == "Which is ~ = # { } : and \\?\nNext line"
    assert [
        (shown(text), fraction, shown(feedback)) for text, fraction, feedback in answers(question)
    ] == [
        ("~tilde", 1.0, "#1 = best"),
        ("back\\slash\nnewline", 0.0, ""),
    ]


def test_text_formats() -> None:
    markdown = one("[markdown]Who's in **Grant's tomb**?{=no one}")
    assert markdown.stem == "Who's in **Grant's tomb**?"
    plain = one("[plain]2*3*4 is <b>?{=24}")
    assert shown(plain.stem) == "2*3*4 is <b>?"
    assert not emphasis(plain.stem)
    moodle = one("[moodle]Plain *words* stay.{=yes}")
    assert shown(moodle.stem) == "Plain *words* stay."
    assert not emphasis(moodle.stem)
    questions, problems = parse_gift(
        '[html]<p>Who is <b>buried</b> in <a href="https://x.org/t">the tomb</a>?</p>'
        "<ul><li>one</li><li>two</li></ul><p>A &amp; B<br>C <u>D</u><font>E</font></p>{=no one}",
        "q.gift",
    )
    assert questions[0].format == "html"
    assert questions[0].stem == (
        '<p>Who is <strong>buried</strong> in <a href="https://x.org/t" rel="noopener noreferrer">'
        "the tomb</a>?</p><ul><li>one</li><li>two</li></ul><p>A &amp; B<br>C <ins>D</ins>E</p>"
    )
    assert [str(p) for p in problems] == ["q.gift:1: warning: HTML tags removed: font"]


def test_html_is_sanitised() -> None:
    questions, problems = parse_gift(
        '[html]<p onclick="steal()">Hi<script>alert(1)</script></p>{=a}', "q.gift"
    )
    assert questions[0].stem == "<p>Hi</p>"
    assert not isinstance(questions[0].stem, HtmlText)  # plain str once read
    assert [p.message for p in problems] == ["HTML tags removed: script"]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("\nQ {=a", 2, "the answers need both '{' and '}'"),
        ("Q } {=a", 1, "the answers need both '{' and '}'"),
        ("\n\n\nQ {~a}", 4, "needs at least two answers"),
        ("Q {=a ~}", 1, "choice 2 is empty"),
        ("Q {#abc}", 1, "'abc' is not a number"),
        ("Q {#1..x}", 1, "is not a number"),
        ("Q {=a -> b}", 1, "a matching question needs at least two"),
        ("Q {=a -> b =c}", 1, "a matching question needs at least two"),
        ("::Title Q {=a}", 1, "the title has no closing '::'"),
        ("Q {~%150%a =b}", 1, "weight 150% is outside -100% to 100%"),
        ("Q {~a ~b}", 1, "no correct answer"),
        ("Q {=a =b ~c}", 1, "more than one correct answer"),
        ("Q {~%50%a ~%20%b}", 1, "add up to 70%"),
        ("Q {=%50%a}", 1, "no accepted answer gives full marks"),
        ("Q {=}", 1, "answer 1 is empty"),
        ("// comment\n\n  // another\n  Q {=a\n  more", 4, "both '{' and '}'"),
    ],
)
def test_warnings_name_the_line(text, line, message) -> None:
    _, problems = parse_gift(text, "q.gift")
    assert problems
    assert all(problem.is_warning for problem in problems)
    found = [p for p in problems if message in p.message]
    assert found, [str(p) for p in problems]
    assert found[0].line == line
    assert str(found[0]).startswith(f"q.gift:{line}: warning: ")


def test_moodle_documentation_examples() -> None:
    questions, problems = parse_gift((DATA / "moodle_examples.gift").read_text(), "m.gift")
    assert problems == []
    assert len(questions) == 40
    by_title = {question.title: question for question in questions if question.title}
    assert answers(by_title["Q1"]) == [("True", 1.0, ""), ("False", 0.0, "")]
    assert by_title["Q3"].stem == "Two plus _____ equals four."
    assert by_title["Q4"].pairs == [Pair("cat", "cat food"), Pair("dog", "dog food")]
    assert by_title["Q5"].numerical == [NumericalAnswer(3, 2)]
    assert by_title["Q6"].numerical == [NumericalAnswer(min=1, max=5)]
    assert [n.fraction for n in by_title["Q7"].numerical] == [1.0, 0.5]
    assert by_title["Q8"].type == "essay"
    assert shown(by_title["Kanji Origins"].stem) == (
        "Japanese characters originally\ncame from what country?"
    )
    control = by_title["GIFT Control Characters"]
    assert [shown(a.text) for a in control.answers] == ["~", "=", "#", "{", "}", "\\"]
    assert shown(control.answers[-1].feedback).startswith(
        "Correct! \\ (backslash) is not a control"
    )
    assert control.answers[-1].fraction == 1.0
    assert shown(by_title["Numerical example"].numerical[1].feedback) == (
        "He was born in 1822.\nYou get 50% credit for being close."
    )
    kinds = {question.type for question in questions}
    assert kinds == {
        "single",
        "multiple",
        "truefalse",
        "shortanswer",
        "numerical",
        "matching",
        "essay",
    }
    special = next(q for q in questions if q.stem == "Which answer equals 5?")
    assert [(shown(a.text), a.fraction) for a in special.answers] == [
        ("= 2 + 2", 0.0),
        ("= 2 + 3", 1.0),
        ("= 2 + 4", 0.0),
    ]
    assert questions[-1].line == 197


def test_json_shape_of_the_moodle_examples() -> None:
    questions, _ = parse_gift((DATA / "moodle_examples.gift").read_text(), "m.gift")
    data = json.loads(json.dumps([question.to_json() for question in questions]))
    common = {"type", "title", "stem", "general_feedback", "category", "id", "tags", "format"}
    common |= {"correct_feedback", "incorrect_feedback", "points"}
    for item in data:
        extra = set(item) - common
        if item["type"] == "matching":
            assert extra == {"pairs"}
        elif item["type"] in ("essay", "description"):
            assert extra == set()
        else:
            assert extra == {"answers"}
    numerical = next(item for item in data if item["title"] == "Q6")
    assert numerical["answers"] == [{"min": 1.0, "max": 5.0, "fraction": 1.0, "feedback": ""}]
    q5 = next(item for item in data if item["title"] == "Q5")
    assert q5["answers"] == [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0, "feedback": ""}]
    q1 = next(item for item in data if item["title"] == "Q1")
    assert [a["text"] for a in q1["answers"]] == ["True", "False"]


def every_type() -> list[Question]:
    awkward = "Tricky: ~ = # { } \\ \\n and\na new line, 50% [x] -- _"
    return [
        Question(
            "single",
            title="Single: one {of} these",
            stem="Pick one.\n\nSecond paragraph with *Markdown*.",
            answers=[
                Answer("right", 1.0, "Yes #1"),
                Answer(awkward, 0.0, "No: " + awkward),
                Answer("%50% off", 0.0),
                Answer("[html] literally", 0.25, "[plain] too"),
            ],
            general_feedback="General = feedback",
            category="$course$/top/Quiz",
        ),
        Question(
            "multiple",
            title="Multiple",
            stem="Pick two.",
            answers=[
                Answer("a", 0.5, "fb"),
                Answer("b", 0.5),
                Answer("c", -0.5),
                Answer("d", round(-1 / 3, 9)),
                Answer("e", 0.0),
            ],
            category="$course$/top/Quiz",
        ),
        Question(
            "truefalse",
            title="TF",
            stem="Grant is buried in Grant's tomb.",
            answers=[Answer("True", 0.0, "Wrong: no one is."), Answer("False", 1.0, "Right.")],
            general_feedback="General.",
        ),
        Question(
            "truefalse",
            stem="Only right feedback",
            answers=[Answer("True", 1.0, "Right."), Answer("False", 0.0, "")],
        ),
        Question(
            "shortanswer",
            title="Short",
            stem="Grant is buried in _____ tomb.",
            answers=[
                Answer("Grant's", 1.0, "Yes"),
                Answer("%75% his", 0.75, "hm"),
                Answer("T", 0.1),
                Answer("a = b", 0.2),
            ],
        ),
        Question(
            "numerical",
            title="Numbers",
            stem="When? _____",
            numerical=[
                NumericalAnswer(1822, 0, feedback="Exactly"),
                NumericalAnswer(1822, 2.5, fraction=0.5, feedback="Close: #2"),
                NumericalAnswer(min=-5, max=-1.25, fraction=0.1),
                NumericalAnswer(1e-05, 1e-06, fraction=0.333),
            ],
            incorrect_feedback="Any other: no.",
            general_feedback="He was born in 1822.",
        ),
        Question(
            "matching",
            title="Match",
            stem="Match: the capitals",
            pairs=[
                Pair("Slovenia", "Ljubljana"),
                Pair("[b] Croatia", "Zagreb {HR}"),
                Pair("", "Vienna"),
            ],
            general_feedback="Europe",
        ),
        Question("essay", title="Essay", stem="Write about {this}."),
        Question("essay", stem="Another", general_feedback="Think of # and ~."),
        Question("description", title="Intro", stem="Just text: read on.\nMore.", category=""),
    ]


def same_bank(questions: list[Question]) -> list[Question]:
    """Questions with the category as the group it becomes (the top category is none)."""
    return [
        Question(**{**question.__dict__, "category": group_of(question.category) or ""})
        for question in questions
    ]


def test_export_then_import_gives_the_same_questions() -> None:
    questions = every_type()
    exported = export_gift(questions)
    again, problems = parse_gift(exported, "export.gift")
    assert problems == [], exported
    assert same_bank(again) == same_bank(questions)
    assert export_gift(again) == exported


def test_round_trip_of_the_moodle_examples() -> None:
    questions, _ = parse_gift((DATA / "moodle_examples.gift").read_text(), "m.gift")
    again, problems = parse_gift(export_gift(questions), "export.gift")
    assert problems == []
    assert same_bank(again) == same_bank(questions)


def test_export_uses_markdown_format_and_moodle_layout() -> None:
    exported = export_gift(every_type()[:3])
    assert exported.startswith(
        "$CATEGORY: $course$/top/Quiz\n\n::Single\\: one \\{of\\} these::[markdown]"
    )
    assert "\t=right#Yes \\#1\n" in exported
    assert "\t~%25%[markdown][html] literally#[markdown][plain] too\n" in exported
    assert "\t~%0%%50% off\n" in exported  # a leading %50% would read as a weight
    assert "$CATEGORY: $course$/top\n\n::TF::" in exported
    assert "{FALSE#Wrong\\: no one is.#Right.####General.}" in exported
    assert export_gift([]) == ""


@pytest.mark.parametrize("seed", range(4))
def test_garbage_never_raises(seed: int) -> None:
    rng = random.Random(seed)
    pieces = [
        *"{}~=#:%\\->.[]$/ \n\t\rTFab1.5_<>&;\ufeff\ue003",
        "\n\n",
        "::",
        "//",
        "{#",
        "####",
        "$CATEGORY:",
        "[html]",
        "[plain]",
        "[markdown]",
        "..",
        "->",
        "<b>",
        "</p>",
        "<!--",
        "<![",
        "&amp;",
        "&#xZZ;",
        "%50%",
        "%-25%",
        "%1000%",
        "TRUE",
        "\\n",
        "\\{",
        "1e999",
        "nan",
    ]
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
        lines = text.count("\n") + text.count("\r") + 1
        questions, problems = parse_gift(text, "g.gift")
        assert all(problem.is_warning for problem in problems)
        assert all(1 <= problem.line <= lines for problem in problems)
        assert not [p for p in problems if "internal error" in p.message], text
        parse_gift(export_gift(questions))
    raw = bytes(rng.randrange(256) for _ in range(5000)).decode("utf-8", errors="replace")
    parse_gift(raw)
