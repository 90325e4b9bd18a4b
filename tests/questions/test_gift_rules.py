"""The GIFT reader rule by rule against Moodle's (question/format/gift/format.php and
question/format.php's readdata/readquestions), on files written to Moodle's documentation."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.questions.gift import export_gift, parse_gift
from app.questions.model import NumericalAnswer, Pair, Question
from app.questions.registry import grade
from tests.questions.helpers import emphasis, shown

DATA = Path(__file__).parent / "data"


def read(text: str) -> list[Question]:
    questions, problems = parse_gift(text, "t.gift")
    assert [p for p in problems if "internal error" in p.message] == []
    return questions


def only(text: str) -> Question:
    questions, problems = parse_gift(text, "t.gift")
    assert problems == [], [str(problem) for problem in problems]
    assert len(questions) == 1
    return questions[0]


# --- readdata and readquestions: the file, its lines and its blocks ----------------------

LF = "// head\n::A::First?{T}\n\n::B::Second {\n\t=yes#right\n\t~no#wrong\n}\n"


@pytest.mark.parametrize(
    "variant",
    [
        LF.replace("\n", "\r\n"),  # Windows
        "\ufeff" + LF,  # a byte-order mark
        LF.replace("\n", "\r"),  # old Macintosh
        LF.replace("\t", "    ").replace("::A", "  \t::A"),  # tabs and spaces around lines
        "\ufeff" + LF.replace("\n", "\r\n").replace("\t", "\t\t"),
    ],
)
def test_line_endings_bom_and_tabs_read_the_same(variant: str) -> None:
    assert read(variant) == read(LF)
    assert [q.line for q in read(variant)] == [2, 4]


def test_blank_lines_end_a_question_and_lines_of_spaces_are_blank() -> None:
    questions = read("One?{T}\n   \t \nTwo?{F}\n\n\n\nThree?{T}")
    assert [q.stem for q in questions] == ["One?", "Two?", "Three?"]
    assert [q.line for q in questions] == [1, 3, 7]


def test_comments_inside_a_block_are_left_out_and_do_not_split_it() -> None:
    question = only(
        "// before\nWhich one?{\n// between the answers\n  =right # yes\n"
        "   // indented comment\n  ~wrong\n}\n// after"
    )
    assert [(a.text, a.fraction, a.feedback) for a in question.answers] == [
        ("right", 1.0, "yes"),
        ("wrong", 0.0, ""),
    ]
    assert only("Address? {=http://example.org/a//b}").answers[0].text == (
        "http://example.org/a//b"
    )
    assert read("// only a comment\n// and another\n\nQ?{T}")[0].line == 4


# --- escapes: \~ \= \# \{ \} \: \\ \n, undone exactly once --------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        (r"a\~b", "a~b"),
        (r"a\=b", "a=b"),
        (r"a\#b", "a#b"),
        (r"a\{b\}", "a{b}"),
        (r"a\:b", "a:b"),
        (r"a\\b", "a\\b"),
        (r"a\nb", "a\nb"),
        (r"a\\nb", "a\\nb"),  # an escaped backslash, then the letter n
        (r"a\\\=b", "a\\=b"),
        (r"a\\\\b", "a\\\\b"),
        (r"a\qb", "a\\qb"),  # not an escape: the backslash stays, as in Moodle
        (r"a\\", "a\\"),
    ],
)
def test_each_escape_is_undone_once(written: str, meant: str) -> None:
    question = only(f"::T{written}::Q {written} end{{\n=right {written}\n~wrong #fb {written}\n}}")
    assert question.title == " ".join(f"T{meant}".split())
    assert shown(question.stem) == f"Q {meant} end"
    assert shown(question.answers[0].text) == f"right {meant}"
    assert shown(question.answers[1].feedback) == f"fb {meant}"


def test_escapes_at_the_ends_of_lines() -> None:
    question = only("Which?{\n=one\\~\n~two\\\\\n~three\\#\n~four\\\n}")
    assert [shown(a.text) for a in question.answers] == ["one~", "two\\", "three#", "four\\"]
    assert only("Open \\{\n  brace\\}?{}").type == "essay"


# --- text formats: the prefix is never shown ------------------------------------------------


def test_plain_and_moodle_text_is_not_markdown() -> None:
    for prefix in ("[plain]", "[moodle]", ""):
        question = only(f"{prefix}Is 2*3*4 = _24_?{{=[plain]*yes*#[moodle]**no**}}")
        assert shown(question.stem) == "Is 2*3*4 = _24_?"
        assert not emphasis(question.stem)
        assert question.answers[0].text == "*yes*"  # a short answer: typed text
        assert shown(question.answers[0].feedback) == "**no**"
        assert "[" not in question.stem + question.answers[0].feedback


def test_markdown_text_is_markdown() -> None:
    question = only("[markdown]Is this **bold**?{~[markdown]*yes* =no#[plain]*plain*}")
    assert question.stem == "Is this **bold**?"
    assert emphasis(question.stem)
    assert question.answers[0].text == "*yes*"
    assert shown(question.answers[1].feedback) == "*plain*"


def test_html_is_kept_sanitised_with_each_text_in_its_format() -> None:
    question = only(
        "[html]<p>Pick <i>one</i>.</p>{\n=[plain]a < b#[markdown]**yes**\n~<b>c</b>\n"
        "####[moodle]general\nfeedback\n}"
    )
    assert question.format == "html"
    assert question.stem == "<p>Pick <em>one</em>.</p>"
    assert question.answers[0].text == "a &lt; b"
    assert question.answers[0].feedback == "<p><strong>yes</strong></p>"
    assert question.answers[1].text == "<strong>c</strong>"
    assert shown(question.general_feedback, "html") == "general\nfeedback"


def test_an_unknown_prefix_is_text() -> None:
    assert shown(only("[note]Text{=a}").stem) == "[note]Text"


# --- what Moodle supports --------------------------------------------------------------


def test_short_answer_wildcard_and_first_match() -> None:
    question = only("Capital of Croatia?{\n=Zagreb#Yes\n=%50%Zag*#Nearly\n=%0%*#It is Zagreb.\n}")
    assert [(a.text, a.fraction) for a in question.answers] == [
        ("Zagreb", 1.0),
        ("Zag*", 0.5),
        ("*", 0.0),
    ]
    assert grade(question, " zagreb ").fraction == 1.0
    assert grade(question, "Zagrebb") == grade(question, "zag")
    assert grade(question, "Zagrebb").fraction == 0.5
    assert grade(question, "Ljubljana").feedback == ["It is Zagreb."]
    literal = only("Star?{=a\\\\*b}")  # Moodle's \* is a star, not a wildcard
    assert literal.answers[0].text == "a\\*b"
    assert grade(literal, "a*b").fraction == 1.0
    assert grade(literal, "axb").fraction == 0.0


def test_numerical_ranges_tolerances_and_any_other_answer() -> None:
    question = only(
        "When?{#\n=1822:0#Exactly\n=%50%1822:2#Close\n=%25%1800..1850\n~#He was born in 1822.\n}"
    )
    assert question.numerical == [
        NumericalAnswer(1822, 0, fraction=1.0, feedback="Exactly"),
        NumericalAnswer(1822, 2, fraction=0.5, feedback="Close"),
        NumericalAnswer(min=1800, max=1850, fraction=0.25),
    ]
    assert question.incorrect_feedback == "He was born in 1822."
    assert [grade(question, n).fraction for n in ("1822", "1823,5", "1849", "1900")] == [
        1.0,
        0.5,
        0.25,
        0.0,
    ]
    assert only("Pi?{#3.14159:0.0005}").numerical == [NumericalAnswer(3.14159, 0.0005)]


@pytest.mark.parametrize(
    ("block", "fractions", "kind"),
    [
        ("{=a ~%50%b ~%-25%c ~d}", [1.0, 0.5, -0.25, 0.0], "single"),
        ("{~%50%a ~%50%b ~%-100%c}", [0.5, 0.5, -1.0], "multiple"),
        (
            "{~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-50%d}",
            [0.3333333, 0.3333333, 0.3333334, -0.5],
            "multiple",
        ),
        ("{=%100%a =%75%b =%-10%c}", [1.0, 0.75, -0.1], "shortanswer"),
    ],
)
def test_partial_and_negative_weights(block: str, fractions: list[float], kind: str) -> None:
    questions, _ = parse_gift(f"Q {block}", "t.gift")
    assert questions[0].type == kind
    assert [a.fraction for a in questions[0].answers] == fractions


def test_general_feedback_is_the_last_four_hashes() -> None:
    question = only("Q?{=a#fb####general #### with hashes}")
    assert shown(question.general_feedback) == "with hashes"
    assert shown(question.answers[0].feedback).startswith("fb")


def test_categories_ids_and_tags() -> None:
    questions = read((DATA / "bank.gift").read_text(encoding="utf-8"))
    by_title = {q.title: q for q in questions}
    assert by_title["Referral"].category == "$course$/top/Basics"
    assert by_title["Referral"].id == "basics-01"
    assert by_title["Referral"].tags == ["referral", "week 1"]
    assert by_title["Bracket id"].id == "odd]id"
    assert by_title["Match offices"].pairs[-1] == Pair("", "Chat")  # a distractor
    exported = export_gift([by_title["Referral"], by_title["Bracket id"]])
    assert "// [id:basics-01] [tag:referral] [tag:week 1]\n::Referral::" in exported
    assert "// [id:odd\\]id]\n::Bracket id::" in exported


def test_matching_essay_and_description() -> None:
    match = only("Match.{\n=Ljubljana -> Slovenia\n=Zagreb -> Croatia\n= -> Austria\n}")
    assert match.pairs == [
        Pair("Ljubljana", "Slovenia"),
        Pair("Zagreb", "Croatia"),
        Pair("", "Austria"),
    ]
    essay = only("::E::Describe.{####Graders look for two examples.}")
    assert essay.type == "essay"
    assert essay.general_feedback == "Graders look for two examples."
    description = only("::Intro::Read this first.")
    assert (description.type, shown(description.stem)) == ("description", "Read this first.")


def test_a_file_with_n_questions_gives_n_questions() -> None:
    """Duplicates are questions too: Moodle keeps them."""
    questions = read((DATA / "bank.gift").read_text(encoding="utf-8"))
    assert len(questions) == 12
    assert sum(1 for q in questions if q.title == "Same title") == 2
    assert sum(1 for q in questions if q.stem == "Same text?") == 2


def test_what_moodle_refuses_is_a_warning_at_its_line() -> None:
    _questions, problems = parse_gift("Fine?{T}\n\nBroken {=a\n\n{#abc}\n\nQ {~only}", "t.gift")
    assert [(p.line, p.is_warning) for p in problems] == [(3, True), (5, True), (7, True)]
