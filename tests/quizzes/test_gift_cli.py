"""`flask quizzes import-gift` (into the course's draft) and `export-gift` (the live quiz)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from sqlalchemy import select

from app.authoring.drafts import find_draft
from app.courses.services import get_course
from app.extensions import db
from app.questions.markdown_format import parse_quiz
from app.questions.model import Answer, Question
from app.questions.storage import question_to_dict
from app.quizzes import services
from app.quizzes.models import Quiz, QuizItem
from tests.conftest import COURSES

DATA = Path(__file__).parent / "data"
BANK = Path(__file__).parents[1] / "questions" / "data" / "bank.gift"
GIFT = """// A comment line
$CATEGORY: $course$/top/Social activation

// [id:q1] [tag:offices]
::Q1:: Which office pays unemployment benefit in Slovenia? {
  =ZRSZ#Right.
  ~CSD#No: that is the social-work centre.
  ~%-50%A bank
}

::Q2:: Activation is voluntary. {T}

::Q3:: Name the Croatian employment service (acronym). {=HZZ =Hrvatski zavod za zapošljavanje}

::Q4:: How many project partners besides the lead partner? {#7:0 ~#There are seven.}

::Q5:: Describe your first meeting with a client. {}
"""


@pytest.fixture(autouse=True)
def test_framework(app):
    """Drafts are published beside the test courses' competence framework."""
    app.config["COURSES_DIR"] = str(COURSES)


def write(tmp_path: Path, text: str = GIFT, name: str = "bank.gift") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def items(app, slug: str) -> list[QuizItem]:
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == get_course(slug).id))
        return [] if quiz is None else [item for item in quiz.items if not item.is_retired]


def draft_quiz(app, slug: str, language: str = "sl"):
    with app.app_context():
        draft = find_draft(slug)
        return None if draft is None else parse_quiz(draft.files[f"quiz.{language}.md"])[0]


def test_json_prints_questions_with_feedback_metadata_and_status(app, runner, courses, tmp_path):
    result = runner.invoke(
        args=["quizzes", "import-gift", write(tmp_path), "--course", "beta", "--json"]
    )
    assert result.exit_code == 0, result.output
    questions = json.loads(result.stdout)
    assert [q["type"] for q in questions] == [
        "single",
        "truefalse",
        "shortanswer",
        "numerical",
        "essay",
    ]
    first = questions[0]
    assert (first["title"], first["id"], first["tags"], first["status"]) == (
        "Q1",
        "q1",
        ["offices"],
        "new",
    )
    assert first["category"] == "$course$/top/Social activation"
    assert first["answers"][1] == {
        "text": "CSD",
        "fraction": 0.0,
        "feedback": "No: that is the social-work centre.",
    }
    assert first["answers"][2]["fraction"] == -0.5
    assert questions[3]["incorrect_feedback"] == "There are seven."
    assert questions[3]["answers"] == [
        {"value": 7.0, "tolerance": 0.0, "fraction": 1.0, "feedback": ""}
    ]
    assert find_draft_in(app, "beta") is None  # --json changes nothing


def find_draft_in(app, slug: str):
    with app.app_context():
        return find_draft(slug)


def test_import_goes_into_the_draft_and_a_reimport_is_recognised(app, runner, courses, tmp_path):
    path = write(tmp_path)
    dry = runner.invoke(args=["quizzes", "import-gift", path, "--course", "beta", "--dry-run"])
    assert "5 questions: 5 new, 0 unchanged, 0 updated (dry run: nothing imported)" in dry.output
    assert find_draft_in(app, "beta") is None
    first = runner.invoke(args=["quizzes", "import-gift", path, "--course", "beta"])
    assert first.exit_code == 0, first.output
    assert "5 questions: 5 new, 0 unchanged, 0 updated; in the draft of beta" in first.output
    assert items(app, "beta") == []  # the live course is unchanged until published
    source = draft_quiz(app, "beta")
    assert [q.title for q in source.questions] == ["Q1", "Q2", "Q3", "Q4", "Q5"]
    assert [(g.name, g.pick) for g in source.groups] == [("Social activation", 5)]
    again = runner.invoke(args=["quizzes", "import-gift", path, "--course", "beta"])
    assert "5 questions: 0 new, 5 unchanged, 0 updated" in again.output
    changed = GIFT.replace("=ZRSZ#Right.", "=ZRSZ#Right: the employment service.")
    changed = changed.replace("::Q2:: Activation is voluntary.", "::Q2:: Activation is free.")
    third = runner.invoke(
        args=["quizzes", "import-gift", write(tmp_path, changed), "--course", "beta"]
    )
    # Q1 has an id: updated; Q2 has none, so its new text is a new question beside the old.
    assert "5 questions: 1 new, 3 unchanged, 1 updated" in third.output
    assert len(draft_quiz(app, "beta").questions) == 6
    bad = runner.invoke(args=["quizzes", "import-gift", path, "--course", "nope"])
    assert bad.exit_code != 0


def test_publish_as_makes_it_live_and_every_question_is_stored(
    app, runner, courses, make_user, tmp_path
):
    admin = make_user(roles={"admin"}, institution="czss-cakovec", email="boss@example.org")
    assert admin
    result = runner.invoke(
        args=[
            "quizzes",
            "import-gift",
            str(BANK),
            "--course",
            "beta",
            "--publish-as",
            "boss@example.org",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "12 questions: 12 new, 0 unchanged, 0 updated; published" in result.output
    stored = items(app, "beta")
    assert len(stored) == 12  # two "Same title" and two "Same text?" are four questions
    assert len({item.key for item in stored}) == 12
    assert [item.group_name for item in stored].count("Numbers") == 4
    assert find_draft_in(app, "beta") is None


def test_the_moodle_documentation_examples_are_all_stored(
    app, runner, courses, make_user, tmp_path
):
    make_user(roles={"admin"}, institution="czss-cakovec", email="boss@example.org")
    path = str(DATA / "moodle_examples.gift")
    args = ["quizzes", "import-gift", path, "--course", "beta", "--publish-as", "boss@example.org"]
    result = runner.invoke(args=args)
    assert "40 questions: 40 new" in result.output, result.output
    assert len(items(app, "beta")) == 40
    again = runner.invoke(args=["quizzes", "import-gift", path, "--course", "beta"])
    assert "40 questions: 0 new, 40 unchanged, 0 updated" in again.output


def test_a_pool_draws_its_pick_in_each_attempt(app, runner, courses, make_user, tmp_path):
    make_user(roles={"admin"}, institution="czss-cakovec", email="boss@example.org")
    bank = "$CATEGORY: $course$/top/Pool\n\n" + "\n\n".join(
        f"::P{i}::Pool question {i}?{{T}}" for i in range(6)
    )
    path = write(tmp_path, "::Always::Asked every time?{T}\n\n" + bank)
    runner.invoke(args=["quizzes", "import-gift", path, "--course", "beta"])
    with app.app_context():  # the trainer draws 2 of the pool's 6, as in the editor
        draft = find_draft("beta")
        text = draft.files["quiz.sl.md"].replace("(pick: 6)", "(pick: 2)")
        draft.files = {**draft.files, "quiz.sl.md": text}
        db.session.commit()
    publish = runner.invoke(
        args=[
            "quizzes",
            "import-gift",
            path,
            "--course",
            "beta",
            "--publish-as",
            "boss@example.org",
        ]
    )
    assert "0 new, 7 unchanged" in publish.output, publish.output
    learners = [make_user() for _ in range(8)]
    with app.app_context():
        quiz = services.quiz_for_course(get_course("beta").id)
        drawn = set()
        for seed, learner in enumerate(learners):
            attempt = services.start_attempt(learner, quiz, "sl", random.Random(seed))
            keys = [slot["key"] for slot in attempt.slots]
            assert len(keys) == 3
            assert keys[0] == "Always"
            drawn.update(keys[1:])
        assert len(drawn) > 2  # different questions of the pool in different attempts


def test_a_multilingual_course_gets_the_new_questions_in_every_language(
    app, runner, courses, tmp_path
):
    result = runner.invoke(args=["quizzes", "import-gift", write(tmp_path), "--course", "alpha"])
    assert result.exit_code == 0, result.output
    sl, hr, en = (draft_quiz(app, "alpha", lang) for lang in ("sl", "hr", "en"))
    assert len(sl.questions) == len(hr.questions) == len(en.questions) == 11
    assert hr.questions[6].title == "Q1"  # a copy to translate
    assert en.questions[0].title == "first-step"  # the course's own questions stay first


def test_export_of_the_live_quiz_imports_again_unchanged(app, runner, courses, make_user, tmp_path):
    make_user(roles={"admin"}, institution="czss-cakovec", email="boss@example.org")
    runner.invoke(
        args=[
            "quizzes",
            "import-gift",
            str(BANK),
            "--course",
            "beta",
            "--publish-as",
            "boss@example.org",
        ]
    )
    for form, name in (("gift", "again.gift"), ("xml", "again.xml")):
        exported = runner.invoke(
            args=["quizzes", "export-gift", "--course", "beta", "--format", form]
        )
        assert exported.exit_code == 0
        again = runner.invoke(
            args=[
                "quizzes",
                "import-gift",
                write(tmp_path, exported.stdout, name),
                "--course",
                "beta",
            ]
        )
        assert "12 questions: 0 new, 12 unchanged, 0 updated" in again.output, (form, again.output)


def test_course_quiz_exports_as_gift_and_xml(runner, courses):
    result = runner.invoke(args=["quizzes", "export-gift", "--course", "alpha", "--lang", "en"])
    assert "::first-step::" in result.stdout
    assert "First contact" in result.stdout
    xml = runner.invoke(
        args=["quizzes", "export-gift", "--course", "alpha", "--lang", "en", "--format", "xml"]
    )
    assert '<question type="multichoice">' in xml.stdout
    assert "<text>first-step</text>" in xml.stdout


def test_a_file_that_is_not_utf8_is_refused(runner, courses, tmp_path):
    path = tmp_path / "latin.gift"
    path.write_bytes("Vprašanje?{T}".encode("cp1250"))
    result = runner.invoke(args=["quizzes", "import-gift", str(path), "--course", "beta"])
    assert result.exit_code != 0
    # The command speaks the platform's default language (Slovenian) outside a request.
    assert "Datoteka ni besedilo UTF-8" in result.output


def test_questions_imported_before_move_into_the_quiz_file(
    app, runner, courses, make_user, tmp_path
):
    """A pool imported before imports went through the draft: export, import, publish, and
    the old copies retire instead of being asked twice."""
    make_user(roles={"admin"}, institution="bistra-ptuj", email="boss@example.org")
    with app.app_context():
        quiz = services.quiz_for_course(get_course("alpha").id)
        old = Question("truefalse", title="Old", stem="Imported long ago.")
        old.answers = [Answer("True", 1.0), Answer("False", 0.0)]
        quiz.items.append(
            QuizItem(
                key="gift:Old",
                origin="gift",
                position=99,
                type="truefalse",
                texts={"en": question_to_dict(old)},
            )
        )
        db.session.commit()
    assert len(items(app, "alpha")) == 7
    exported = runner.invoke(args=["quizzes", "export-gift", "--course", "alpha", "--lang", "en"])
    assert "::Old::" in exported.stdout
    path = write(tmp_path, exported.stdout, "alpha.gift")
    args = ["quizzes", "import-gift", path, "--course", "alpha", "--lang", "en"]
    result = runner.invoke(args=[*args, "--publish-as", "boss@example.org"])
    assert "7 questions: 1 new, 6 unchanged, 0 updated; published" in result.output, result.output
    live = items(app, "alpha")
    assert [item.origin for item in live].count("gift") == 0
    assert [item.key for item in live].count("Old") == 1
