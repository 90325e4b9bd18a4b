"""Moodle XML in and out, read as Moodle's qformat_xml reads it (question/format/xml/format.php),
and parsed safely."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from lxml import etree

from app.questions.gift import parse_gift
from app.questions.model import Answer, NumericalAnswer, Pair, Question
from app.questions.moodle_xml import parse_moodle_xml
from app.questions.moodle_xml_export import default_name, export_moodle_xml
from tests.questions.helpers import shown

DATA = Path(__file__).parent / "data"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAMAAAACCAIAAAASFvFNAAAAFUlEQVR4nGM8ISfHwMDAwMDAxAADABMuAQhqwGVhAAAAAElFTkSuQmCC"
)


class Files:
    """A file handler that accepts every file and records what it was given."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, bytes, int]] = []

    def __call__(self, folder: str, name: str, data: bytes, line: int) -> str:
        self.seen.append((folder, name, data, line))
        return f"images/{name.replace(' ', '-')}"


def bank() -> tuple[list[Question], list[str], Files]:
    files = Files()
    questions, problems = parse_moodle_xml((DATA / "bank.xml").read_bytes(), "bank.xml", files)
    return questions, [str(problem) for problem in problems], files


def test_every_question_answer_weight_and_feedback() -> None:
    questions, _problems, files = bank()
    assert [q.type for q in questions] == [
        "single",
        "multiple",
        "truefalse",
        "shortanswer",
        "numerical",
        "matching",
        "essay",
        "description",
        "shortanswer",
    ]
    referral = questions[0]
    assert (referral.title, referral.id, referral.tags) == (
        "Referral",
        "basics-01",
        ["referral", "week 1"],
    )
    assert referral.format == "html"
    assert referral.points == 2.0
    assert referral.category == "$course$/top/Default for Activation/Basics"
    assert [(a.text, a.fraction, a.feedback) for a in referral.answers] == [
        ("<p>CSD</p>", 1.0, "<p>Yes.</p>"),
        ("<p>ZRSZ</p>", -0.5, "<p>No: the <em>employment</em> service.</p>"),
        ("<p>The municipality</p>", 0.3333333, ""),
    ]
    assert 'src="images/chart-1.png"' in referral.stem
    assert "@@PLUGINFILE@@" not in referral.stem
    assert files.seen == [("/", "chart 1.png", PNG, referral.line)]
    assert (referral.correct_feedback, referral.incorrect_feedback) == (
        "Your answer is correct.",
        "Your answer is incorrect.",
    )
    assert referral.general_feedback == "<p>See lesson 1.</p>"
    multiple = questions[1]
    assert multiple.format == "markdown"
    assert multiple.stem.endswith("**serve**?")
    assert [a.fraction for a in multiple.answers] == [0.5, 0.5, -1.0]
    assert shown(multiple.answers[2].text) == "Full-time *students*"  # plain text, not Markdown
    truefalse = questions[2]
    assert [(a.text, a.fraction, a.feedback) for a in truefalse.answers] == [
        ("True", 1.0, "Right."),
        ("False", 0.0, "Think again."),
    ]
    short = questions[3]
    assert [(a.text, a.fraction) for a in short.answers] == [
        ("HZZ", 1.0),
        ("Hrvatski zavod*", 0.5),
        ("*", 0.0),
    ]
    assert short.category == "$course$/top/Default for Activation/Typed"
    numerical = questions[4]
    assert numerical.numerical == [
        NumericalAnswer(12, 1, fraction=1.0, feedback="About a year."),
        NumericalAnswer(12, 6, fraction=0.5),
    ]
    assert numerical.incorrect_feedback == "Most last about a year."
    assert numerical.points == 1.5
    assert shown(numerical.stem) == "How many months does a *typical* programme last?"
    matching = questions[5]
    assert matching.pairs == [
        Pair("<p>CSD</p>", "social assistance"),
        Pair("<p>ZRSZ</p>", "unemployment benefit"),
        Pair("", "Chat"),
    ]
    assert matching.points == 3
    assert matching.correct_feedback == "Well matched."
    essay, description = questions[6], questions[7]
    assert essay.points == 5
    assert essay.general_feedback == "<p>A good answer names a concrete step.</p>"
    assert description.stem == "<p>The next questions are about <strong>numbers</strong>.</p>"


def test_what_cannot_be_kept_is_a_warning_at_its_question() -> None:
    _questions, problems, _files = bank()
    assert problems == [
        "bank.xml:18: warning: hints are left out: a quiz here gives one try per attempt",
        "bank.xml:18: warning: the feedback for a partly correct answer is left out",
        "bank.xml:156: warning: case matters in Moodle for this question; here it never does",
        "bank.xml:184: warning: units are left out: the learner types the number only",
        "bank.xml:261: warning: the essay's graderinfo is left out",
        "bank.xml:304: warning: questions of Moodle's type 'calculated' cannot be imported: "
        "skipped",
        "bank.xml:311: warning: questions of Moodle's type 'cloze' cannot be imported: skipped",
    ]


def test_a_refused_image_is_left_out_with_its_img() -> None:
    def refuse(folder: str, name: str, data: bytes, line: int) -> None:
        return None

    questions, problems = parse_moodle_xml((DATA / "bank.xml").read_bytes(), "bank.xml", refuse)
    assert "<img" not in questions[0].stem
    assert "@@PLUGINFILE@@" not in questions[0].stem
    assert "bank.xml:18: warning: the image chart 1.png was left out" in [str(p) for p in problems]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;">]>'
            b'<quiz><question type="essay"><name><text>&b;</text></name></question></quiz>',
            "no DOCTYPE",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<quiz><question type="essay"><questiontext><text>&x;</text></questiontext>'
            b"</question></quiz>",
            "no DOCTYPE",
        ),
        (b"<quiz><question type='essay'></quiz>", "not well-formed"),
        (b"<questions/>", "starts with <quiz>"),
        (b"\xff\xfe not xml", "not well-formed"),
    ],
)
def test_unsafe_or_broken_xml_is_refused(data: bytes, message: str) -> None:
    questions, problems = parse_moodle_xml(data, "x.xml")
    assert questions == []
    assert len(problems) == 1
    assert message in problems[0].message
    assert "root:" not in problems[0].message


def test_the_export_is_what_moodle_reads() -> None:
    """Moodle's reader needs a <name> (xmlimportnoname), reads formats by its names, weights as
    percentages, <single>, subquestions with <answer><text>, a category as a question."""
    questions, _ = parse_gift((DATA / "bank.gift").read_text(encoding="utf-8"), "bank.gift")
    text = export_moodle_xml(questions)
    root = etree.fromstring(text.encode("utf-8"))
    assert root.tag == "quiz"
    known = {"multichoice", "truefalse", "shortanswer", "numerical", "matching", "essay",
             "description", "category"}  # fmt: skip
    assert {q.get("type") for q in root.iter("question")} <= known
    for question in root.iter("question"):
        if question.get("type") == "category":
            assert question.findtext("category/text").startswith("$course$/top")
            continue
        assert question.findtext("name/text")
        for element in question.iter():
            if element.get("format") is not None:
                assert element.get("format") in ("html", "markdown", "moodle_auto_format")
        for answer in question.iter("answer"):
            if answer.get("fraction") is not None:
                assert -100 <= float(answer.get("fraction")) <= 100
    again, problems = parse_moodle_xml(text.encode("utf-8"), "again.xml")
    assert problems == []
    assert len(again) == len(questions)


def test_export_carries_the_images_base64() -> None:
    question = Question(
        "essay",
        stem="Look: ![chart](images/chart.png) and <missing> ![x](images/missing.png)",
    )
    text = export_moodle_xml([question], {"images/chart.png": PNG}.get)
    assert "@@PLUGINFILE@@/chart.png" in text
    assert "images/missing.png" in text
    root = etree.fromstring(text.encode("utf-8"))
    file = root.find("question/questiontext/file")
    assert (file.get("name"), file.get("path"), file.get("encoding")) == (
        "chart.png",
        "/",
        "base64",
    )
    assert base64.b64decode(file.text) == PNG
    files = Files()
    again, _ = parse_moodle_xml(text.encode("utf-8"), "x.xml", files)
    assert again[0].stem == question.stem
    assert files.seen[0][:3] == ("/", "chart.png", PNG)


def test_a_question_without_a_title_gets_moodle_s_made_up_name_and_loses_it_again() -> None:
    question = Question("essay", stem="A long question " + "word " * 30)
    name = default_name(question)
    assert name.startswith("A long question word")
    assert name.endswith("...")
    assert len(name) <= 80
    text = export_moodle_xml([question])
    assert f"<text>{name}</text>" in text
    assert parse_moodle_xml(text.encode("utf-8"))[0][0].title == ""


def test_a_truefalse_named_in_another_language_is_true_first() -> None:
    xml = (
        b'<quiz><question type="truefalse"><name><text>Q</text></name>'
        b"<questiontext><text>Sky is blue.</text></questiontext>"
        b'<answer fraction="0"><text>Wahr</text></answer>'
        b'<answer fraction="100"><text>Falsch</text></answer></question></quiz>'
    )
    question = parse_moodle_xml(xml)[0][0]
    assert [(a.text, a.fraction) for a in question.answers] == [("True", 0.0), ("False", 1.0)]


def test_single_choice_without_a_single_element_is_single() -> None:
    xml = (
        b'<quiz><question type="multichoice"><name><text>Q</text></name>'
        b"<questiontext><text>Pick.</text></questiontext>"
        b'<answer fraction="100"><text>a</text></answer><answer fraction="0"><text>b</text>'
        b"</answer></question></quiz>"
    )
    question = parse_moodle_xml(xml)[0][0]
    assert question.type == "single"
    assert [a.text for a in question.answers] == ["a", "b"]
    assert question.answers == [Answer("a", 1.0), Answer("b", 0.0)]


def test_a_byte_order_mark_windows_line_ends_and_tabs_read_the_same() -> None:
    data = (DATA / "bank.xml").read_bytes()
    variant = b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n").replace(b"    ", b"\t")
    same, problems = parse_moodle_xml(variant, "bank.xml", Files())
    assert same == bank()[0]
    assert len(problems) == len(bank()[1])
