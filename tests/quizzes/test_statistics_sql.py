"""Item statistics in SQL: the correlation from sums equals the textbook one; the page's queries
do not grow with the attempts; a new attempt shows at once (the cache follows the attempts)."""

from __future__ import annotations

import math
import statistics

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.core.database import count_queries
from app.extensions import db
from app.quizzes import services
from app.quizzes.models import AttemptAnswer
from app.quizzes.statistics import _pearson
from tests.conftest import assign_trainer, login, post
from tests.quizzes.test_attempts import RIGHT, page, start, with_token

pairs = st.lists(
    st.tuples(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0, 20, allow_nan=False)),
    min_size=2,
    max_size=60,
)


@given(pairs)
def test_the_correlation_from_sums_is_pearsons(rows):
    xs, ys = [x for x, _ in rows], [y for _, y in rows]
    sums = (len(rows), sum(xs), sum(ys), sum(x * x for x in xs), sum(y * y for y in ys),
            sum(x * y for x, y in rows))  # fmt: skip
    found = _pearson(*sums)
    if statistics.pvariance(xs) < 1e-6 or statistics.pvariance(ys) < 1e-6:
        return  # no spread: no correlation to compare (ours says None)
    expected = statistics.correlation(xs, ys)
    assert found is not None
    assert math.isclose(found, expected, abs_tol=1e-6)


def _finish(app, client, make_user, answers) -> None:
    login(client, make_user())
    attempt = start(client)
    client.post(f"/quiz/attempts/{attempt}/submit", data=with_token(client, attempt, answers))
    trainer = make_user(roles={"trainer"})
    with app.app_context():
        for row in db.session.scalars(select(AttemptAnswer).where(AttemptAnswer.needs_grading)):
            services.grade_answer(row, trainer, 1.0, "")
        db.session.commit()


def test_the_statistics_page_costs_the_same_whatever_the_attempts(app, client, courses, make_user):
    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    answer_sets = (RIGHT, {"q0": "0", "q2": "false"}, {"q0": "1", "q2": "true"})
    for answers in answer_sets:
        _finish(app, client, make_user, answers)
    login(client, trainer)

    def queries() -> tuple[int, str]:
        with app.app_context(), count_queries() as counter:
            html = page(client.get("/courses/alpha/quiz/statistics"))
        return counter.count, html

    few, html = queries()
    assert "Based on 3 finished attempts." in html
    for answers in answer_sets * 3:
        _finish(app, client, make_user, answers)
    login(client, trainer)
    many, html = queries()
    assert "Based on 12 finished attempts." in html  # not a stale cached figure
    assert many == few


def test_statistics_are_kept_for_every_server_and_recomputed_when_old(
    app, client, courses, make_user
):
    from datetime import timedelta

    from app.quizzes.models import QuizStatistics

    trainer = make_user(roles={"trainer"})
    assign_trainer(app, trainer, "alpha")
    _finish(app, client, make_user, RIGHT)
    login(client, trainer)
    app.config["STATISTICS_MAX_AGE"] = 900
    first = page(client.get("/courses/alpha/quiz/statistics"))
    assert "Based on 1 finished attempt." in first
    with app.app_context():
        kept = db.session.scalar(select(QuizStatistics))
        assert kept.attempts == 1
        computed_at = kept.computed_at
    # Unchanged attempts: the kept figures, not computed again.
    with app.app_context(), count_queries() as counter:
        again = page(client.get("/courses/alpha/quiz/statistics"))
    assert "Based on 1 finished attempt." in again
    with app.app_context():
        assert db.session.scalar(select(QuizStatistics)).computed_at == computed_at
    unchanged = counter.count
    # A new attempt within the quarter of an hour: the kept figures, and how many came since.
    _finish(app, client, make_user, {"q0": "0", "q2": "false"})
    login(client, trainer)
    stale = page(client.get("/courses/alpha/quiz/statistics"))
    assert "Based on 1 finished attempt." in stale
    assert "1 attempt finished since then is counted" in stale
    # A trainer who wants them now recalculates at once.
    assert post(client, "/courses/alpha/quiz/statistics/recalculate").status_code == 302
    assert "Based on 2 finished attempts." in page(client.get("/courses/alpha/quiz/statistics"))
    _finish(app, client, make_user, RIGHT)
    login(client, trainer)
    assert "Based on 2 finished attempts." in page(client.get("/courses/alpha/quiz/statistics"))
    # Older than the limit: computed again, with every attempt.
    with app.app_context():
        row = db.session.scalar(select(QuizStatistics))
        row.computed_at = row.computed_at - timedelta(minutes=16)
        db.session.commit()
    fresh = page(client.get("/courses/alpha/quiz/statistics"))
    assert "Based on 3 finished attempts." in fresh
    assert "since then" not in fresh
    with app.app_context(), count_queries() as counter:
        page(client.get("/courses/alpha/quiz/statistics"))
    assert counter.count == unchanged
