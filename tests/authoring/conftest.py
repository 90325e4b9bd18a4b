"""Fixtures of the authoring tests."""

from __future__ import annotations

import pytest

from app.courses.models import CourseTrainer
from app.courses.services import get_course
from app.extensions import db


@pytest.fixture
def trainer(app, courses, make_user):
    """A trainer assigned to alpha (not to beta), logged in."""
    user_id = make_user(roles={"trainer"}, full_name="Tina Trainer")
    with app.app_context():
        db.session.add(CourseTrainer(course_id=get_course("alpha").id, user_id=user_id))
        db.session.commit()
    return user_id
