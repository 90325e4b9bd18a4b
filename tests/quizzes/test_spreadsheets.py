"""Quiz exports for spreadsheets: UTF-8 with a BOM and no cell that runs as a formula; and the
feedback a review shows, rendered as the question is written."""

from __future__ import annotations

import csv
import io

from app.core.csvexport import BOM
from app.extensions import db
from app.quizzes.statistics import ItemStatistics, statistics_csv
from tests.conftest import assign_trainer, login
from tests.quizzes.test_attempts import page, quiz_of, start, with_token


def rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:])))


def test_every_answer_as_csv(app, client, courses, make_user):
    learner = make_user(full_name="=cmd|' /C calc'!A0")
    login(client, learner)
    attempt = start(client)
    answers = {"q0": "1", "q1": ["0", "2"], "q2": "false", "q3": "=SUM(A1:A9)", "q4": "-7"}
    client.post(f"/quiz/attempts/{attempt}/submit", data=with_token(client, attempt, answers))
    login(client, make_user())
    start(client)  # an attempt in progress is not in the export
    trainer = make_user(roles={"trainer"})
    login(client, trainer)
    assert client.get("/courses/alpha/quiz/answers.csv").status_code == 403
    assign_trainer(app, trainer, "alpha")
    response = client.get("/courses/alpha/quiz/answers.csv")
    assert response.mimetype == "text/csv"
    assert 'filename="alpha-answers.csv"' in response.headers["Content-Disposition"]
    table = rows(response.data)
    assert table[0][:8] == [
        "learner",
        "attempt",
        "state",
        "submitted_at",
        "question_number",
        "question",
        "type",
        "response",
    ]
    assert len(table) == 1 + 6
    by_question = {row[5]: row for row in table[1:]}
    assert by_question["first-step"][0] == "'=cmd|' /C calc'!A0"  # the learner's name is text
    assert by_question["first-step"][7] == "First contact"
    assert by_question["partners"][7] == "Employment office; A bank"
    assert by_question["voluntary"][7] == "false"
    assert by_question["time-word"][7] == "'=SUM(A1:A9)"
    assert by_question["partner-count"][7] == "'-7"
    assert by_question["first-step"][8:10] == ["1.0", "1.0"]
    assert by_question["case"][2] == "finished"
    assert by_question["case"][7] == ""  # not answered


def test_statistics_csv_is_formula_safe_with_a_bom() -> None:
    item = ItemStatistics('=HYPERLINK("x")', "single", "?", 2, 50.0, None, [("@SUM(1)", 2)])
    table = rows(statistics_csv([item]).encode("utf-8"))
    assert table[1][0] == '\'=HYPERLINK("x")'
    assert table[1][5] == "'@SUM(1): 2"


def test_the_review_renders_feedback_as_the_question_is_written(app, client, courses, make_user):
    with app.app_context():
        quiz = quiz_of(app)
        quiz.show_answers = "immediately"
        item = quiz.items[0]
        texts = dict(item.texts)
        question = dict(texts["en"])
        question["answers"] = [dict(answer) for answer in question["answers"]]
        question["answers"][2]["feedback"] = "Closing **comes last**."
        question["html"] = {
            **question["html"],
            "feedback": {"Closing **comes last**.": "<p>Closing <strong>comes last</strong>.</p>"},
        }
        item.texts = {**texts, "en": question}
        db.session.commit()
    login(client, make_user())
    attempt = start(client)
    client.post(f"/quiz/attempts/{attempt}/submit", data=with_token(client, attempt, {"q0": "2"}))
    html = page(client.get(f"/quiz/attempts/{attempt}/result"))
    assert '<div class="feedback"><p>Closing <strong>comes last</strong>.</p></div>' in html
