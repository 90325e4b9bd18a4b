"""The editor writes course.yml and lesson front matter round trip: comments, order and keys it
does not show survive a save (ruamel.yaml)."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.authoring.documents import LessonFields, course_document, lesson_document
from app.authoring.models import CourseDraft
from app.extensions import db
from tests.authoring.test_editor import LESSON, base_hash, lesson_form
from tests.conftest import csrf_token, login

AUTHORED_YML = """\
# Reviewed with the social work centre, 2026.
slug: alpha
title:
  sl: "Alfa tečaj"   # the catalogue's title
  en: Alpha course
languages: [sl, en]
workload_hours: 3  # estimate: 2.6 h
institution: bistra-ptuj
outcomes:
  - competence: activation-planning
    level: 1
    text: {sl: Načrtuje, en: Plans}
"""


def test_course_yml_keeps_comments_order_and_other_keys():
    text = course_document(
        {"slug": "alpha", "title": {"sl": "Alfa", "en": "Alpha"}, "workload_hours": 4},
        AUTHORED_YML,
    )
    assert text.startswith("# Reviewed with the social work centre, 2026.\n")
    assert re.search(r'sl: "Alfa" +# the catalogue\'s title', text)
    assert "workload_hours: 4  # estimate: 2.6 h" in text
    assert "outcomes:\n  - competence: activation-planning" in text
    assert text.index("languages") < text.index("workload_hours") < text.index("outcomes")


def test_a_new_course_yml_is_written_in_the_loaders_order():
    text = course_document(
        {"slug": "x", "title": {"sl": "T"}, "languages": ["sl"], "workload_hours": 1,
         "institution": "zrsz", "certificate_validity_months": None}
    )  # fmt: skip
    assert (
        text == "slug: x\ntitle: {sl: T}\nlanguages: [sl]\nworkload_hours: 1\ninstitution: zrsz\n"
    )


def test_lesson_front_matter_keeps_what_the_form_does_not_show():
    original = (
        "---\ntitle: Prvi korak  # short\nminutes: 12\nactivity_minutes: 20\n"
        "outcomes:\n  - competence: activation-planning\n    level: 1\n---\n\n## Body\n"
    )
    text = lesson_document(
        LessonFields(title="Prvi koraki", minutes=15, body="## Body\n"), original
    )
    assert re.search(r"title: Prvi koraki +# short\n", text)
    assert "minutes: 15\n" in text
    assert "activity_minutes: 20\n" in text
    assert "outcomes:\n  - competence: activation-planning\n    level: 1\n" in text


def test_saving_in_the_editor_keeps_lesson_and_course_keys(app, client, trainer):
    login(client, trainer)
    with app.app_context():
        # The author's file has front-matter keys the form does not show.
        from app.authoring import drafts, lessons

        copy = drafts.working_copy("alpha")
        entry = lessons.lesson_entry(copy, "first")
        path = entry.paths["sl"]
        text = copy.files[path].replace("---\n", "---\nactivity_minutes: 25  # a case to read\n", 1)
        drafts.store(copy, trainer, {**copy.files, path: text}, copy.assets)
        db.session.commit()
    assert client.post(LESSON, data=lesson_form(client, title="Prva lekcija")).status_code == 302
    settings = "/authoring/courses/alpha/settings"
    form = {
        "csrf_token": csrf_token(client, settings),
        "base_hash": base_hash(client, settings),
        "title_sl": "Alfa tečaj",
        "title_hr": "Alfa tečaj hr",
        "title_en": "Alpha course",
        "summary_sl": "S.",
        "summary_hr": "S.",
        "summary_en": "S.",
        "workload_hours": "2",
        "certificate_validity_months": "",
        "level__activation-planning": "1",
    }
    assert client.post(settings, data=form).status_code == 302
    with app.app_context():
        files = db.session.scalar(select(CourseDraft)).files
    assert "activity_minutes: 25  # a case to read" in files[path]
    assert "title: Prva lekcija" in files[path]
    assert "workload_hours: 2" in files["course.yml"]
