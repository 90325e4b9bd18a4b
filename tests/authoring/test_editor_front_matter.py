"""The browser editor keeps the front-matter keys its forms do not show: a lesson's outcomes and
activity_minutes, and course.yml's outcomes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from app.courses.models import CourseTrainer
from app.courses.revisions import latest_revision
from app.courses.services import get_course
from app.courses.sync import sync_folder
from app.extensions import db
from tests.authoring.test_editor import LESSON, base_hash, lesson_form, publish
from tests.conftest import COURSES, csrf_token, login

LESSON_OUTCOMES = [
    {
        "competence": "activation-planning",
        "level": 2,
        "text": "Skupaj z osebo pripravite individualni načrt s cilji, koraki in roki.",
    }
]
COURSE_OUTCOMES = [
    {
        "competence": "activation-planning",
        "level": 2,
        "text": {
            "sl": "Pripravite načrt aktivacije.",
            "hr": "Pripremite plan aktivacije.",
            "en": "Draw up an activation plan.",
        },
    }
]


def front_matter(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


@pytest.fixture
def alpha_with_outcomes(app, courses, make_user):
    """alpha published with outcomes and activity_minutes, and its trainer."""
    target = Path(app.config["STORAGE_DIR"]) / "with-outcomes"
    shutil.copytree(COURSES, target)
    course_yml = target / "alpha" / "course.yml"
    meta = yaml.safe_load(course_yml.read_text())
    course_yml.write_text(yaml.safe_dump({**meta, "outcomes": COURSE_OUTCOMES}, allow_unicode=True))
    # Translations state the same outcomes as the source.
    for lesson in (target / "alpha").glob("01-first.*.md"):
        text = lesson.read_text()
        front = "activity_minutes: 15\n" + yaml.safe_dump(
            {"outcomes": LESSON_OUTCOMES}, allow_unicode=True
        )
        lesson.write_text(text.replace("---\n", "---\n" + front, 1))
    user_id = make_user(roles={"trainer"}, full_name="Tina Trainer")
    with app.app_context():
        sync_folder(target / "alpha")
        db.session.add(CourseTrainer(course_id=get_course("alpha").id, user_id=user_id))
        db.session.commit()
        published = latest_revision(get_course("alpha").id).files["01-first.sl.md"]
    assert front_matter(published)["outcomes"] == LESSON_OUTCOMES
    return user_id


def test_the_lesson_editor_keeps_outcomes_and_activity_minutes(app, client, alpha_with_outcomes):
    login(client, alpha_with_outcomes)
    response = client.post(LESSON, data=lesson_form(client, body="## Section one sl\n\nEdited.\n"))
    assert response.status_code == 302
    assert publish(client).status_code == 302
    with app.app_context():
        saved = latest_revision(get_course("alpha").id).files["01-first.sl.md"]
    meta = front_matter(saved)
    assert meta["title"] == "First lesson sl"
    assert meta["activity_minutes"] == 15
    assert meta["outcomes"] == LESSON_OUTCOMES
    assert "Edited." in saved


def test_the_settings_form_keeps_the_course_outcomes(app, client, alpha_with_outcomes):
    login(client, alpha_with_outcomes)
    path = "/authoring/courses/alpha/settings"
    form = {
        "csrf_token": csrf_token(client, path),
        "base_hash": base_hash(client, path),
        "title_sl": "Alfa tečaj",
        "title_hr": "Alfa tečaj na hrvatskom",
        "title_en": "Alpha course",
        "summary_sl": "Povzetek alfa.",
        "summary_hr": "Sažetak alfa.",
        "summary_en": "Alpha summary, revised.",
        "workload_hours": "4",
        "certificate_validity_months": "",
        "level__activation-planning": "2",
    }
    assert client.post(path, data=form).status_code == 302
    assert publish(client).status_code == 302
    with app.app_context():
        saved = yaml.safe_load(latest_revision(get_course("alpha").id).files["course.yml"])
    assert saved["summary"]["en"] == "Alpha summary, revised."
    assert saved["outcomes"] == COURSE_OUTCOMES
