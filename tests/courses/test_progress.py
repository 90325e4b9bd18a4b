"""Enrolment: one row per learner and course, even when two requests enrol at once."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from app.courses import progress, services


def test_enrolling_twice_returns_the_same_enrolment(app, courses, ctx, make_user):
    learner = make_user()
    course = services.get_course("alpha")
    first = progress.enrol(learner, course)
    assert progress.enrol(learner, course).id == first.id


def test_the_row_of_a_concurrent_enrolment_is_used(app, courses, ctx, make_user, monkeypatch):
    learner = make_user()
    course = services.get_course("alpha")
    first = progress.enrol(learner, course)
    # The other tab's row is not there yet when this request looks, so its insert collides.
    real = progress.get_enrolment
    answers = [None]
    monkeypatch.setattr(
        progress,
        "get_enrolment",
        lambda user_id, course_id: answers.pop() if answers else real(user_id, course_id),
    )
    assert progress.enrol(learner, course).id == first.id


def test_an_enrolment_refused_for_another_reason_is_not_hidden(app, courses, ctx):
    course = services.get_course("alpha")
    # No such user: the foreign key refuses the row, and there is no other row to fall back on.
    with pytest.raises(IntegrityError):
        progress.enrol(999_999, course)
