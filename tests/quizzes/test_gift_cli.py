"""`flask quizzes import-gift` and `export-gift`, and the trainer's GIFT upload in the browser."""

from __future__ import annotations

import io
import json

from sqlalchemy import select

from app.extensions import db
from app.quizzes.models import QuizItem
from tests.conftest import assign_trainer, login, post

GIFT = """// A comment line
$CATEGORY: $course$/Social activation

::Q1:: Which office pays unemployment benefit in Slovenia? {
  =ZRSZ#Right.
  ~CSD#No: that is the social-work centre.
  ~%-50%A bank
}

::Q2:: Activation is voluntary. {T}

::Q3:: Name the Croatian employment service (acronym). {=HZZ =Hrvatski zavod za zapošljavanje}

::Q4:: How many project partners besides the lead partner? {#7:0}

::Q5:: Describe your first meeting with a client. {}
"""


def write_gift(tmp_path):
    path = tmp_path / "bank.gift"
    path.write_text(GIFT, encoding="utf-8")
    return path


def test_import_json_prints_the_parsed_questions(runner, courses, tmp_path):
    result = runner.invoke(
        args=["quizzes", "import-gift", str(write_gift(tmp_path)), "--course", "alpha", "--json"]
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
    assert first["title"] == "Q1"
    assert first["category"].endswith("Social activation")
    assert first["answers"][0] == {"text": "ZRSZ", "fraction": 1.0, "feedback": "Right."}
    assert first["answers"][2]["fraction"] == -0.5
    assert questions[3]["answers"] == [
        {"value": 7.0, "tolerance": 0.0, "fraction": 1.0, "feedback": ""}
    ]
    assert {a["text"] for a in questions[2]["answers"]} == {
        "HZZ",
        "Hrvatski zavod za zapošljavanje",
    }


def test_dry_run_changes_nothing_and_import_is_idempotent(app, runner, courses, tmp_path):
    path = str(write_gift(tmp_path))
    dry = runner.invoke(args=["quizzes", "import-gift", path, "--course", "alpha", "--dry-run"])
    assert "5 questions parsed (dry run: nothing imported)" in dry.output
    with app.app_context():
        assert db.session.scalar(select(QuizItem).where(QuizItem.origin == "gift")) is None
    first = runner.invoke(args=["quizzes", "import-gift", path, "--course", "alpha"])
    assert "5 questions imported (5 new)" in first.output
    again = runner.invoke(args=["quizzes", "import-gift", path, "--course", "alpha"])
    assert "5 questions imported (0 new)" in again.output
    bad = runner.invoke(args=["quizzes", "import-gift", path, "--course", "nope"])
    assert bad.exit_code != 0


def test_export_then_import_gives_the_same_questions(app, runner, courses, tmp_path):
    runner.invoke(args=["quizzes", "import-gift", str(write_gift(tmp_path)), "--course", "beta"])
    exported = runner.invoke(args=["quizzes", "export-gift", "--course", "beta"])
    assert exported.exit_code == 0
    again = tmp_path / "again.gift"
    again.write_text(exported.stdout, encoding="utf-8")
    original = runner.invoke(
        args=["quizzes", "import-gift", str(write_gift(tmp_path)), "--course", "beta", "--json"]
    )
    round_trip = runner.invoke(
        args=["quizzes", "import-gift", str(again), "--course", "beta", "--json"]
    )

    def comparable(output: str) -> list[dict]:
        return [{k: v for k, v in q.items() if k != "category"} for q in json.loads(output)]

    assert comparable(round_trip.stdout) == comparable(original.stdout)


def test_course_quiz_exports_as_gift(runner, courses):
    result = runner.invoke(args=["quizzes", "export-gift", "--course", "alpha", "--lang", "en"])
    assert "::first-step::" in result.stdout
    assert "First contact" in result.stdout


def test_trainer_uploads_gift_sees_preview_and_confirms(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"})
    login(client, trainer)
    assert client.get("/courses/beta/quiz/import").status_code == 403
    assign_trainer(app, trainer, "beta")
    data = {"file": (io.BytesIO(GIFT.encode()), "bank.gift"), "language": "sl", "submit": "1"}
    response = post(client, "/courses/beta/quiz/import", data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert "5 questions found." in html
    assert "Which office pays unemployment benefit" in html
    with app.app_context():  # a preview imports nothing
        assert db.session.scalar(select(QuizItem).where(QuizItem.origin == "gift")) is None
    assert 'name="text" type="hidden" value="// A comment line' in html
    form = {"text": GIFT, "language": "sl", "confirm": "1"}
    confirm = post(client, "/courses/beta/quiz/import", form, follow_redirects=True)
    assert "5 questions imported." in confirm.get_data(as_text=True)
    with app.app_context():
        items = db.session.scalars(select(QuizItem).where(QuizItem.origin == "gift")).all()
        assert len(items) == 5
        assert {item.quiz.course.slug for item in items} == {"beta"}


def test_upload_refuses_a_wrong_file_type(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "beta")
    login(client, trainer)
    data = {"file": (io.BytesIO(b"x"), "bank.exe"), "language": "sl", "submit": "1"}
    response = post(client, "/courses/beta/quiz/import", data, content_type="multipart/form-data")
    assert "Upload a .gift or .txt file." in response.get_data(as_text=True)


def test_imported_questions_survive_a_course_sync(app, runner, tmp_path):
    import shutil

    from tests.conftest import COURSES

    tree = tmp_path / "courses"
    shutil.copytree(COURSES, tree)
    runner.invoke(args=["courses", "sync", str(tree)])
    runner.invoke(args=["quizzes", "import-gift", str(write_gift(tmp_path)), "--course", "beta"])
    lesson = tree / "beta" / "01-only.sl.md"
    lesson.write_text(lesson.read_text() + "\nŠe en odstavek.\n")
    result = runner.invoke(args=["courses", "sync", str(tree)])
    assert "updated lesson text beta/only [sl]" in result.output
    with app.app_context():
        items = db.session.scalars(select(QuizItem).where(QuizItem.origin == "gift")).all()
        assert len(items) == 5
        assert not items[0].quiz.is_retired
