"""The Markdown quiz file: a complete example, file:line errors, and the round trip."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from app.questions.markdown_format import (
    Group,
    QuizSettings,
    QuizSource,
    dump_quiz,
    load_quiz,
    parse_quiz,
)
from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.types import grade

DATA = Path(__file__).parent / "data"
DOCS = Path(__file__).parents[2] / "docs" / "authoring.md"
KNOWN = {"activation-foundations", "target-group-assessment", "motivational-interviewing"}


def example() -> str:
    return (DATA / "quiz.en.md").read_text(encoding="utf-8")


def quiz(body: str, settings: str = "title: T") -> str:
    """A file whose body starts on line 4 when the settings are one line."""
    return f"---\n{settings}\n---\n{body}"


def problems_of(text: str, known: set[str] | None = None) -> list[str]:
    return [str(problem) for problem in parse_quiz(text, "quiz.sl.md", known)[1]]


def test_the_complete_example_has_every_feature() -> None:
    source, problems = parse_quiz(example(), "quiz.en.md", KNOWN)
    assert problems == []
    assert source.settings == QuizSettings(
        title="Basics of social activation: check your knowledge",
        pass_mark=60,
        max_attempts=3,
        time_limit_minutes=20,
        shuffle_questions=False,
        shuffle_choices=True,
        show_answers="after_last_attempt",
    )
    types = [question.type for question in source.questions]
    assert types == [
        "description",
        "single",
        "truefalse",
        "multiple",
        "shortanswer",
        "numerical",
        "matching",
        "essay",
        "single",
        "single",
    ]
    assert source.groups == [Group("Motivation", 1, [8, 9])]
    intro, single, truefalse, multiple, short, number, match, essay = source.questions[:8]

    assert intro.title == "Welcome"
    assert intro.stem == (
        "This quiz checks the lessons of the course. Take your time:\nyou may try it three times."
    )

    assert single.line == 17
    assert single.stem == "What is the **main** purpose of social activation?"
    assert (single.competence, single.competence_level) == ("activation-foundations", 2)
    assert single.general_feedback.startswith("Social activation comes before employment")
    assert (single.correct_feedback, single.incorrect_feedback) == (
        "Well done.",
        "Read lesson 1 again.",
    )
    assert [(a.fraction, a.feedback) for a in single.answers] == [
        (0.0, "A job may follow, but it is not the first aim."),
        (1.0, ""),
        (0.0, ""),
    ]

    assert truefalse.answers == [
        Answer("True", 1.0, "Yes: it rests on the person's own decision."),
        Answer("False", 0.0, ""),
    ]

    assert multiple.points == 2
    assert (
        multiple.stem
        == "Which groups does social activation usually serve?\nChoose every group that applies."
    )
    assert [a.fraction for a in multiple.answers] == [0.5, 0.5, -0.5, -0.25]
    assert multiple.answers[2].feedback == "Students are not among the target groups."

    assert short.ignore_diacritics
    assert [(a.text, a.fraction) for a in short.answers] == [
        ("CSD", 1.0),
        ("Center za socialno delo", 1.0),
        ("center", 0.5),
    ]
    assert short.answers[2].feedback == "Which centre? Give its full name."

    assert number.numerical == [
        NumericalAnswer(12, 1),
        NumericalAnswer(
            min=6,
            max=18,
            fraction=0.5,
            feedback="Shorter and longer programmes exist, but about a year is typical.",
        ),
    ]
    assert match.pairs[-1] == Pair("", "the employer")
    assert len(match.pairs) == 4

    assert essay.points == 3
    assert essay.stem.endswith("how you would address it.\n\nWrite at least five sentences.")
    assert essay.general_feedback.startswith("A good answer")


def test_the_example_in_the_authoring_guide_is_the_tested_one() -> None:
    guide = DOCS.read_text(encoding="utf-8")
    section = guide[guide.index("\n## Quizzes") :]
    block = re.search(r"```markdown\n(.*?)```", section, re.DOTALL)
    assert block is not None
    assert block.group(1) == example()


def test_the_example_grades_as_documented() -> None:
    source, _ = parse_quiz(example(), "quiz.en.md")
    questions = source.questions
    assert grade(questions[1], 1).fraction == 1.0
    assert grade(questions[3], [0, 1]).fraction == 1.0
    assert grade(questions[3], [0, 1, 2, 3]).fraction == 0.25
    assert grade(questions[3], [0, 2]).fraction == 0.0
    assert grade(questions[4], "center za socialno délo").fraction == 1.0
    assert grade(questions[5], "12,5").fraction == 1.0
    assert grade(questions[5], "7").fraction == 0.5


def test_round_trip_gives_equal_questions() -> None:
    source, _ = parse_quiz(example(), "quiz.en.md", KNOWN)
    dumped = dump_quiz(source)
    again, problems = parse_quiz(dumped, "dumped.md", KNOWN)
    assert problems == []
    assert again == source
    assert dump_quiz(again) == dumped


def test_round_trip_of_built_questions_with_awkward_weights() -> None:
    source = QuizSource(
        QuizSettings(title='Kviz: "znanje" #1', pass_mark=72.5, shuffle_questions=True),
        [
            Question(
                "multiple",
                title="Weights",
                stem="Line one\n\n    code block\nafter",
                answers=[
                    Answer("a", 0.7),
                    Answer("b", 0.3),
                    Answer("c", 0.0, "no\nreally"),
                    Answer("d", -1.0),
                ],
            ),
            Question(
                "multiple",
                stem="Thirds",
                # as parsed: weights are kept to 9 decimals, like a written percentage
                answers=[Answer(str(n), 0.333333333) for n in range(3)]
                + [Answer("x", -0.333333333)],
            ),
            Question(
                "multiple",
                stem="Mixed",
                answers=[Answer("a", 0.6), Answer("b", 0.2), Answer("c", 0.2), Answer("d", -0.5)],
            ),
            Question(
                "shortanswer",
                stem="S",
                answers=[Answer("one", 1.0), Answer("two", 0.333)],
                points=1.5,
            ),
            Question(
                "numerical",
                stem="N",
                numerical=[
                    NumericalAnswer(-0.1, 1e-05),
                    NumericalAnswer(min=-5, max=-1, fraction=0.1),
                ],
                incorrect_feedback="No",
            ),
            Question(
                "truefalse", stem="TF", answers=[Answer("True", 0.0), Answer("False", 1.0, "fb")]
            ),
            Question("description", stem="D\n\n- a list\n- of things"),
        ],
        [Group("G", 2, [4, 5, 6])],
    )
    again, problems = parse_quiz(dump_quiz(source), "built.md")
    assert problems == []
    assert again == source


def test_continuation_lines_tabs_and_indented_feedback() -> None:
    text = quiz(
        "1.\tA question\n"
        "\tthat goes on.\n"
        "a)\tOne\n"
        "    ... indented feedback\n"
        "*b) Two\n"
        "    spanning lines\n"
        "\n"
        "    and paragraphs\n"
    )
    source, problems = parse_quiz(text, "q.md")
    assert problems == []
    question = source.questions[0]
    assert question.stem == "A question\nthat goes on."
    assert question.answers[0].feedback == "indented feedback"
    assert question.answers[1].text == "Two\nspanning lines\n\nand paragraphs"


def test_text2qti_style_true_false_words_in_the_platform_languages() -> None:
    for true_word, false_word in (("Drži", "Ne drži"), ("točno", "netočno"), ("TRUE", "false")):
        text = quiz(f"Type: truefalse\n1. Q\na) {false_word}\n*b) {true_word}\n")
        source, problems = parse_quiz(text, "q.md")
        assert problems == []
        assert [(a.text, a.fraction) for a in source.questions[0].answers] == [
            ("True", 1.0),
            ("False", 0.0),
        ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("= 42", NumericalAnswer(42)),
        ("= 3,5", NumericalAnswer(3.5)),
        ("= 1_000 +- 10", NumericalAnswer(1000, 10)),
        ("= 200 +- 5%", NumericalAnswer(200, 10)),
        ("= -2.5 ± 0.5", NumericalAnswer(-2.5, 0.5)),
        ("= [1, 5]", NumericalAnswer(min=1, max=5)),
        ("= [1,5]", NumericalAnswer(min=1, max=5)),
        ("= [1,5; 2,5]", NumericalAnswer(min=1.5, max=2.5)),
        ("= [-3.5, -1]", NumericalAnswer(min=-3.5, max=-1)),
        ("=25% 7", NumericalAnswer(7, fraction=0.25)),
        ("=12,5% 7", NumericalAnswer(7, fraction=0.125)),
    ],
)
def test_numerical_answer_forms(line: str, expected: NumericalAnswer) -> None:
    source, problems = parse_quiz(quiz(f"1. Q\n= 999\n{line}\n"), "q.md")
    assert problems == []
    assert source.questions[0].numerical[1] == expected


def test_keys_and_type_values_ignore_case() -> None:
    source, problems = parse_quiz(
        quiz("TYPE: TrueFalse\ntitle: x\n1. Q\n*a) true\nb) false\n"), "q.md"
    )
    assert problems == []
    assert (source.questions[0].type, source.questions[0].title) == ("truefalse", "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            quiz("1. Q\n*a) x\nb) y\nhello there\n"),
            "quiz.sl.md:7: unknown line syntax: 'hello there'",
        ),
        (quiz("1. Q\na) x\nb) y\n"), "quiz.sl.md:4: no correct answer"),
        (quiz("1. Q\n*a) x\nb) y\n*c) z\n"), "quiz.sl.md:7: more than one correct answer"),
        (quiz("1. Q\n= 3,5\n= abc\n"), "quiz.sl.md:6: 'abc' is not a number"),
        (quiz("1. Q\n= 3 +- x\n"), "quiz.sl.md:5: the tolerance 'x' is not a number"),
        (quiz("1. Q\n= [1, 2, 3]\n"), "quiz.sl.md:5: a range is written [min, max]"),
        (
            quiz("1. Q\n___\n\n## Group: A (pick: 3)\n2. Q\n___\n3. R\n___\n"),
            "quiz.sl.md:7: pick: 3 is more than the 2 questions of group 'A'",
        ),
        (quiz("1. Q\n___\n", "title: T\nattempts: 3"), "quiz.sl.md:3: unknown key 'attempts'"),
        (
            quiz("1. Q\n___\n", "title: T\nshow_answers: later"),
            "quiz.sl.md:3: show_answers must be",
        ),
        (quiz("1. Q\n___\n", "pass_mark: 50"), "quiz.sl.md:2: missing key 'title'"),
        (quiz("1. Q\n___\n", "title: T\npass_mark: 150"), "quiz.sl.md:3: pass_mark must be"),
        (quiz("1. Q\n___\n", "title: T\nmax_attempts: 0"), "quiz.sl.md:3: max_attempts must be"),
        (
            quiz("1. Q\n___\n", "title: T\nshuffle_choices: yes please"),
            "quiz.sl.md:3: shuffle_choices",
        ),
        (quiz("1. Q\n___\n", "title: [T"), "quiz.sl.md:3: invalid YAML"),
        ("1. Q\n___\n", "quiz.sl.md:1: front matter missing"),
        (
            quiz("Competence: activation-planning @ 5\n1. Q\n___\n"),
            "quiz.sl.md:4: competence level '5'",
        ),
        (quiz("Competence: activation-planning\n1. Q\n___\n"), "quiz.sl.md:4: Competence: must be"),
        (quiz("1.\n*a) x\nb) y\n"), "quiz.sl.md:4: the question text is empty"),
        (
            quiz("1. Q\n*a) x\n[ ] y\n"),
            "quiz.sl.md:6: a multiple-answer ([ ]) answer in a question",
        ),
        (quiz("1. Q\n[*] x\n[ ] y\n[50%] z\n"), "quiz.sl.md:7: a weight above 0% marks a correct"),
        (
            quiz("1. Q\n[*60%] x\n[*60%] y\n"),
            "quiz.sl.md:4: the correct choices' weights add up to 120%",
        ),
        (quiz("1. Q\n[x] a\n[*] b\n"), "quiz.sl.md:5: unknown choice '[x]'"),
        (quiz("Type: truefalse\n1. Q\n*a) Yes\nb) No\n"), "quiz.sl.md:5: a true/false question"),
        (quiz("Type: truefalse\n1. Q\n* yes\n"), "quiz.sl.md:4: Type: truefalse needs two choices"),
        (quiz("Type: quiz\n1. Q\n___\n"), "quiz.sl.md:4: unknown type 'quiz'"),
        (quiz("Type: description\n1. Q\n___\n"), "quiz.sl.md:4: Type: description is text only"),
        (quiz("Type: essay\n1. Q\n* a\n"), "quiz.sl.md:4: Type: essay does not fit"),
        (quiz("1. Q\n"), "quiz.sl.md:4: the question has no answers"),
        (quiz("Points: zero\n1. Q\n___\n"), "quiz.sl.md:4: Points: must be a number above 0"),
        (quiz("Diacritics: ignore\n1. Q\n___\n"), "quiz.sl.md:4: Diacritics: ignore applies to"),
        (quiz("Diacritics: yes\n1. Q\n* a\n"), "quiz.sl.md:4: Diacritics: can only be 'ignore'"),
        (quiz("Title: A\nTitle: B\n1. Q\n___\n"), "quiz.sl.md:5: 'Title:' given twice"),
        (quiz("1. Q\n___\nTitle: Lost\n"), "quiz.sl.md:6: 'Title:' must come right before"),
        (quiz("1. Q\n___\n## Group: A\n2. Q\n___\n"), "quiz.sl.md:6: unknown heading"),
        (
            quiz("1. Q\n___\n## Group: A (pick: x)\n2. Q\n___\n"),
            "quiz.sl.md:6: pick must be a whole",
        ),
        (quiz("## Group: A (pick: 1)\n"), "quiz.sl.md:4: group 'A' has no questions"),
        (quiz("\n\n"), "quiz.sl.md:4: the quiz has no questions"),
        (
            quiz("Quiz title: old style\n1. Q\n___\n"),
            "quiz.sl.md:4: unknown line: expected a question",
        ),
        (quiz("   floating\n1. Q\n___\n"), "quiz.sl.md:4: indented text outside a question"),
        (
            quiz("1. Q\n... a\n... b\n*a) x\nb) y\n"),
            "quiz.sl.md:6: '...' feedback goes right after",
        ),
        (quiz("1. Q\n+ a\n+ b\n*a) x\nb) y\n"), "quiz.sl.md:6: '+' feedback given twice"),
        (quiz("1. Q\n* a\n  more\n"), "quiz.sl.md:6: a short answer must fit on one line"),
        (
            quiz("1. Q\n= a -> b\n... c\n= d -> e\n"),
            "quiz.sl.md:6: matching pairs have no feedback",
        ),
        (quiz("1. Q\n=50% a -> b\n= d -> e\n"), "quiz.sl.md:5: matching pairs have no weights"),
        (quiz("1. Q\n= a -> b\n"), "quiz.sl.md:4: a matching question needs at least two pairs"),
        (quiz("1. Q\n*50% a\n"), "quiz.sl.md:4: no accepted answer gives full marks"),
        (quiz("Type: description\nPoints: 2\n1. Q\n"), "quiz.sl.md:5: a description has no score"),
        (quiz("1. Q\n___\n+ Good\n"), "quiz.sl.md:4: an essay is never right or wrong"),
    ],
)
def test_problems_name_file_and_line(text: str, expected: str) -> None:
    problems = problems_of(text)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_unknown_competence_only_when_the_framework_is_given() -> None:
    text = quiz("Competence: no-such-thing @ 2\n1. Q\n___\n")
    assert problems_of(text) == []
    assert problems_of(text, KNOWN) == ["quiz.sl.md:4: unknown competence 'no-such-thing'"]


def test_problems_come_sorted_by_line_and_the_bad_line_only_once() -> None:
    text = quiz("1. Q\n*a) x\nnonsense\n    its continuation\nb) y\n", "title: T\nfoo: 1")
    assert problems_of(text) == [
        "quiz.sl.md:3: unknown key 'foo' in the quiz settings (known: max_attempts, pass_mark, "
        "show_answers, shuffle_choices, shuffle_questions, time_limit_minutes, title)",
        "quiz.sl.md:7: unknown line syntax: 'nonsense' (indent it to continue the text above)",
    ]


def test_groups_and_drawing_questions_for_an_attempt() -> None:
    text = quiz(
        "1. Always\n___\n2. Always too\n___\n"
        "## Group: A (pick: 1)\n3. a1\n___\n4. a2\n___\n"
        "## Group: B (pick: 2)\n5. b1\n___\n6. b2\n___\n7. b3\n___\n"
    )
    source, problems = parse_quiz(text, "q.md")
    assert problems == []
    assert source.groups == [Group("A", 1, [2, 3]), Group("B", 2, [4, 5, 6])]
    assert [group.line for group in source.groups] == [8, 13]
    seen = set()
    for seed in range(30):
        drawn = source.draw(random.Random(seed))
        assert drawn[:2] == [0, 1]
        assert drawn == sorted(drawn)
        assert len([i for i in drawn if i in (2, 3)]) == 1
        assert len([i for i in drawn if i in (4, 5, 6)]) == 2
        seen.update(drawn)
    assert seen == set(range(7))
    source.settings.shuffle_questions = True
    orders = {tuple(source.draw(random.Random(seed))) for seed in range(30)}
    assert any(order[:2] != (0, 1) for order in orders)


def test_load_quiz_names_the_file_relative_to_a_root(tmp_path: Path) -> None:
    folder = tmp_path / "courses" / "demo"
    folder.mkdir(parents=True)
    path = folder / "quiz.sl.md"
    path.write_text(quiz("1. Q\n___\nnope\n"), encoding="utf-8")
    _, problems = load_quiz(path, root=tmp_path)
    assert [str(problem) for problem in problems] == [
        "courses/demo/quiz.sl.md:6: unknown line syntax: 'nope' "
        "(indent it to continue the text above)"
    ]


def test_a_broken_front_matter_still_returns_a_source() -> None:
    source, problems = parse_quiz("---\ntitle: T\n", "q.md")
    assert source.questions == []
    assert len(problems) == 1
    assert str(problems[0]) == "q.md:1: front matter not closed: add a line with ---"


def test_random_lines_never_raise() -> None:
    pieces = [
        "1. Q",
        "*a) x",
        "b)",
        "[*50%] y",
        "[ ] z",
        "* s",
        "= 3",
        "= [1, 2]",
        "= a -> b",
        "___",
        "... f",
        "+ g",
        "- h",
        "Type: truefalse",
        "Points: 2",
        "## Group: G (pick: 1)",
        "    more",
        "",
        "Title:",
        "Competence: x @ 9",
        "[",
        "=50%",
        "*",
        "##",
    ]
    rng = random.Random(7)
    for _ in range(500):
        body = "\n".join(rng.choice(pieces) for _ in range(rng.randint(0, 15)))
        source, problems = parse_quiz(quiz(body), "q.md")
        assert all(problem.line >= 1 for problem in problems)
        if not any(not problem.is_warning for problem in problems):
            assert parse_quiz(dump_quiz(source), "q.md")[0] == source
