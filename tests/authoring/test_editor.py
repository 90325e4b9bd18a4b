"""The browser editor: drafts learners do not see, publishing with the checks of `courses check`,
conflicts, translations, images, history, and the same state as a folder sync."""

from __future__ import annotations

import html
import io
import re
import shutil

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.authoring.models import CourseDraft
from app.courses.models import CourseRevision, CourseTrainer, Lesson, LessonProgress, LessonText
from app.courses.revisions import latest_revision, write_revision
from app.courses.services import get_course
from app.courses.sync import sync_folder
from app.extensions import db
from app.quizzes.models import QuizAttempt
from tests.conftest import COURSES, csrf_token, login, post

LESSON = "/authoring/courses/alpha/lessons/first/sl"
BASE_HASH_RE = re.compile(r'name="base_hash"[^>]*value="([0-9a-f]*)"')


def base_hash(client, path: str) -> str:
    match = BASE_HASH_RE.search(client.get(path).get_data(as_text=True))
    assert match, f"no base_hash on {path}"
    return match.group(1)


def lesson_form(client, path: str = LESSON, **changes) -> dict:
    form = {
        "csrf_token": csrf_token(client, path),
        "base_hash": base_hash(client, path),
        "title": "First lesson sl",
        "summary": "The first one.",
        "minutes": "10",
        "body": "## Section one sl\n\nNew text for learners.\n",
        "save": "1",
    }
    form.update(changes)
    return form


def learner_sees(client, app, make_user, text: str, lesson: str = "first") -> bool:
    learner = make_user(language="sl")
    login(client, learner)
    page = client.get(f"/courses/alpha/lessons/{lesson}?lang=sl").get_data(as_text=True)
    return text in page


def publish(client, slug: str = "alpha", **data):
    return client.post(
        f"/authoring/courses/{slug}/publish",
        data={"csrf_token": csrf_token(client, f"/authoring/courses/{slug}/"), **data},
    )


def test_a_saved_draft_is_invisible_until_published(app, client, trainer, make_user):
    login(client, trainer)
    response = client.post(
        LESSON, data=lesson_form(client, body="## Section one sl\n\nDraft words only.\r\n")
    )
    assert response.status_code == 302
    assert not learner_sees(client, app, make_user, "Draft words only.")

    login(client, trainer)
    overview = client.get("/authoring/courses/alpha/").get_data(as_text=True)
    assert "unpublished changes" in overview
    response = publish(client)
    assert response.status_code == 302
    assert learner_sees(client, app, make_user, "Draft words only.")
    with app.app_context():
        revision = latest_revision(get_course("alpha").id)
        assert revision.source == "editor"
        assert revision.author.full_name == "Tina Trainer"
        # Line endings from the browser are stored as in the folder.
        assert "Draft words only.\n" in revision.files["01-first.sl.md"]
        assert "\r" not in revision.files["01-first.sl.md"]
        assert db.session.scalar(select(func.count(CourseDraft.id))) == 0


def test_preview_uses_the_learners_pipeline_and_the_checks(app, client, trainer):
    login(client, trainer)
    body = "## Part\n\n<script>alert(1)</script>\n\n# Big heading\n\n[here](https://example.org)\n"
    form = lesson_form(client, body=body, preview="1")
    del form["save"]
    response = client.post(LESSON, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in page.split('id="preview-heading"')[1]
    assert '<h2 id="part">Part</h2>' in page
    # The checks of `flask courses check`, with the line of the text they concern.
    assert "a lesson has no level-1 heading" in page
    assert "does not say where the link goes" in page
    assert "<td>5</td>" in page  # "# Big heading" is line 5 of the text
    # Nothing the trainer wrote is lost, and nothing was saved.
    assert html.escape("# Big heading") in page
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseDraft.id))) == 0

    # With JavaScript the same preview comes back as a fragment.
    response = client.post(LESSON, data=form, headers={"Accept": "application/json"})
    fragment = response.get_json()["html"]
    assert '<h2 id="part">Part</h2>' in fragment
    assert "a lesson has no level-1 heading" in fragment
    # Images in the preview come from the draft, links to lessons go to the learners' pages.
    form["body"] = "## A\n\n![A diagram](images/diagram.png) [Second lesson](02-second.md)\n"
    fragment = client.post(LESSON, data=form, headers={"Accept": "application/json"}).get_json()
    assert 'src="/authoring/courses/alpha/draft/files/images/diagram.png"' in fragment["html"]
    assert 'href="/courses/alpha/lessons/second"' in fragment["html"]
    assert client.get("/authoring/courses/alpha/draft/files/images/diagram.png").status_code == 200


def test_the_second_save_of_the_same_lesson_shows_both_versions(app, client, trainer, make_user):
    other = make_user(roles={"trainer"}, full_name="Other Trainer")
    with app.app_context():
        db.session.add(CourseTrainer(course_id=get_course("alpha").id, user_id=other))
        db.session.commit()
    login(client, trainer)
    first_form = lesson_form(client, body="## Section\n\nTina's version.\n")
    login(client, other)
    second_form = lesson_form(client, body="## Section\n\nOther's version.\n")

    login(client, trainer)
    assert client.post(LESSON, data=first_form).status_code == 302
    login(client, other)
    second_form["csrf_token"] = csrf_token(client, LESSON)
    response = client.post(LESSON, data=second_form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this file while you were editing it." in page
    assert "Tina&#39;s version." in page  # theirs, shown
    assert "Other&#39;s version." in page  # mine, still in the form
    assert "removed: </span>− Tina&#39;s version." in page  # and what differs
    assert "added: </span>+ Other&#39;s version." in page
    with app.app_context():
        draft = db.session.scalar(select(CourseDraft))
        assert "Tina's version." in draft.files["01-first.sl.md"]

    # Saving again from the conflict page is a deliberate choice and goes through.
    second_form["base_hash"] = BASE_HASH_RE.search(page).group(1)
    assert client.post(LESSON, data=second_form).status_code == 302
    with app.app_context():
        draft = db.session.scalar(select(CourseDraft))
        assert "Other's version." in draft.files["01-first.sl.md"]


def test_publishing_refuses_errors_beside_their_lines_and_keeps_the_draft(
    app, client, trainer, make_user
):
    login(client, trainer)
    body = "## Section\n\nSee [the missing lesson](07-missing.md).\n"
    assert client.post(LESSON, data=lesson_form(client, body=body)).status_code == 302
    response = publish(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "1 problem; nothing was published." in page
    assert "<code>01-first.sl.md</code>" in page
    assert "broken internal link: no lesson &#39;missing&#39;" in page
    # Line 9 of the file (after the front matter), shown with its text.
    assert "<td>9</td>" in page
    assert "See [the missing lesson](07-missing.md)." in page
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseDraft.id))) == 1
        assert db.session.scalar(select(func.count(CourseRevision.id))) == 2  # alpha and beta
    assert not learner_sees(client, app, make_user, "the missing lesson")


def test_translations_are_flagged_when_the_source_changes(app, client, trainer):
    login(client, trainer)
    hr = "/authoring/courses/alpha/lessons/first/hr"
    page = client.get(hr).get_data(as_text=True)
    assert "does not record which version of the source text" in page
    form = lesson_form(client, hr, title="Prva lekcija", body="## Dio\n\nTekst.\n")
    form["is_up_to_date"] = "y"
    assert client.post(hr, data=form).status_code == 302
    assert "Up to date with the current source text." in client.get(hr).get_data(as_text=True)

    assert client.post(LESSON, data=lesson_form(client, body="## New\n\nChanged.\n")).status_code
    overview = client.get("/authoring/courses/alpha/").get_data(as_text=True)
    assert overview.count("Needs update") == 1
    assert "Needs update:" in client.get(hr).get_data(as_text=True)
    # `flask courses check` says the same for files kept in git.
    publish(client)
    with app.app_context():
        revision = latest_revision(get_course("alpha").id)
    folder = app.config["STORAGE_DIR"] + "/check"
    with app.app_context():
        from pathlib import Path

        target = Path(folder) / "alpha"
        write_revision(revision, target)
        shutil.copyfile(COURSES / "competences.yml", Path(folder) / "competences.yml")
    result = app.test_cli_runner().invoke(args=["courses", "check", str(target)])
    assert "warning: translated from an older version of 01-first.sl.md" in result.output
    assert result.exit_code == 0

    # Marking it updated records the new source version.
    form = lesson_form(client, hr, title="Prva lekcija", body="## Dio\n\nNovi tekst.\n")
    form["is_up_to_date"] = "y"
    assert client.post(hr, data=form).status_code == 302
    assert "Needs update" not in client.get("/authoring/courses/alpha/").get_data(as_text=True)
    assert "translated from the source text of revision" in client.get(hr).get_data(as_text=True)


def png(size=(4, 3)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_images_need_alt_text_and_must_be_images(app, client, trainer):
    login(client, trainer)

    def upload(data: bytes, name: str, alt: str):
        form = lesson_form(client, preview="1")
        del form["save"]
        form.update(image=(io.BytesIO(data), name), image_alt=alt)
        return client.post(LESSON, data=form, content_type="multipart/form-data")

    page = upload(png(), "Chart.PNG", "").get_data(as_text=True)
    assert "Describe the image for people who cannot see it." in page
    page = upload(b"not an image at all", "fake.png", "A chart").get_data(as_text=True)
    assert "This file is not a PNG, JPEG, GIF or WebP image." in page
    page = upload(b"\0" * (5 * 2**20 + 1), "big.png", "A chart").get_data(as_text=True)
    assert "The image is larger than 5 MB." in page
    # A few hundred bytes that claim 40,000 x 40,000 pixels (6.4 GB once decoded), and one
    # just past Pillow's own limit, where it would only warn: both refused by name.
    from tests.core.test_bad_input import _png

    for width in (40_000, 9_500):
        response = upload(_png(width, width), "bomb.png", "A chart")
        assert response.status_code < 500
        assert "The image has too many pixels" in response.get_data(as_text=True)
    truncated = upload(png()[:40], "cut.png", "A chart").get_data(as_text=True)
    assert "This file is not a PNG, JPEG, GIF or WebP image." in truncated
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseDraft.id))) == 0

    response = upload(png(), "Chart.PNG", "Bar chart of outcomes")
    page = response.get_data(as_text=True)
    assert "![Bar chart of outcomes](images/chart.png)" in page
    image = client.get("/authoring/courses/alpha/draft/files/images/chart.png")
    assert image.mimetype == "image/png"
    assert image.data == png()
    with app.app_context():
        assert "images/chart.png" in db.session.scalar(select(CourseDraft)).assets


def test_reordering_and_removing_lessons_keeps_learner_progress(app, client, trainer, make_user):
    learner = make_user()
    with app.app_context():
        second = db.session.scalar(select(Lesson).where(Lesson.slug == "second"))
        db.session.add(LessonProgress(user_id=learner, lesson_id=second.id))
        db.session.commit()
        second_id = second.id
    login(client, trainer)
    move = "/authoring/courses/alpha/lessons/second/move"
    assert post(client, move, {"offset": "-1"}).status_code == 302
    overview = client.get("/authoring/courses/alpha/").get_data(as_text=True)
    assert overview.index("(second)") < overview.index("(first)")
    assert post(client, "/authoring/courses/alpha/lessons/third/remove", {}).status_code == 302
    with app.app_context():
        assert "03-third.sl.md" in db.session.scalar(select(CourseDraft)).files  # not confirmed
    post(client, "/authoring/courses/alpha/lessons/third/remove", {"confirm": "y"})
    with app.app_context():
        files = db.session.scalar(select(CourseDraft)).files
        assert "01-second.sl.md" in files
        assert "02-first.en.md" in files
        assert not any("third" in name for name in files)
    # Lessons link to each other by name, so the renumbering breaks no link.
    assert publish(client).status_code == 302
    with app.app_context():
        lessons = {lesson.slug: lesson for lesson in db.session.scalars(select(Lesson))}
        assert lessons["second"].id == second_id
        assert lessons["second"].position == 1
        assert lessons["third"].is_retired
        assert db.session.scalar(select(func.count(LessonProgress.id))) == 1


def test_quiz_attempts_stay_attached_when_the_quiz_is_republished(app, client, trainer, make_user):
    learner = make_user()
    login(client, learner)
    post(client, "/courses/alpha/enrol")
    assert post(client, "/courses/alpha/quiz/start").status_code == 302
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        quiz_id = attempt.quiz_id
    login(client, trainer)
    quiz = "/authoring/courses/alpha/quiz/en"
    text = client.get(quiz).get_data(as_text=True)
    source = html.unescape(re.search(r"<textarea[^>]*>\r?\n?(.*?)</textarea>", text, re.S).group(1))
    changed = source.replace("pass_mark: 60", "pass_mark: 70")
    assert changed != source
    preview = client.post(
        quiz,
        data={
            "csrf_token": csrf_token(client, quiz),
            "base_hash": base_hash(client, quiz),
            "text": changed,
            "preview": "1",
        },
    ).get_data(as_text=True)
    assert "No problems found by the checks." in preview
    response = client.post(
        quiz,
        data={
            "csrf_token": csrf_token(client, quiz),
            "base_hash": base_hash(client, quiz),
            "text": changed,
            "save": "1",
        },
    )
    assert response.status_code == 302
    assert publish(client).status_code == 302
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        assert attempt.quiz_id == quiz_id
        assert "pass_mark: 70" in latest_revision(get_course("alpha").id).files["quiz.en.md"]


def test_history_diff_and_restore(app, client, trainer):
    login(client, trainer)
    client.post(LESSON, data=lesson_form(client, body="## Section\n\nSecond revision.\n"))
    publish(client)
    history = client.get("/authoring/courses/alpha/history").get_data(as_text=True)
    assert "Tina Trainer" in history
    assert "the editor" in history
    assert "the courses folder" in history
    changes = client.get("/authoring/courses/alpha/history/diff?from=1&to=2")
    page = changes.get_data(as_text=True)
    assert "01-first.sl.md" in page
    assert "added: </span>+ Second revision." in page
    assert "removed: </span>− Read [the second lesson](02-second.md#part) next." in page
    assert client.get("/authoring/courses/alpha/history/diff?from=1&to=99").status_code == 404

    with app.app_context():
        course = get_course("alpha")
        old = db.session.scalar(
            select(CourseRevision).where(
                CourseRevision.course_id == course.id, CourseRevision.number == 1
            )
        )
        old_files = dict(old.files)
    assert post(client, "/authoring/courses/alpha/history/1/restore", {"confirm": "y"}).status_code
    with app.app_context():
        assert db.session.scalar(select(CourseDraft)).files == old_files
    assert publish(client).status_code == 302
    with app.app_context():
        revision = latest_revision(get_course("alpha").id)
        assert revision.number == 3
        assert revision.files == old_files
        text = db.session.scalar(
            select(LessonText).where(LessonText.source_path.like("%01-first.sl.md"))
        )
        assert "Read" in text.body_markdown


def test_a_new_course_is_written_and_published_in_the_browser(app, client, make_user):
    trainer = make_user(roles={"trainer"}, institution="bistra-ptuj")
    other = make_user(roles={"trainer"})
    login(client, trainer)
    response = post(
        client,
        "/authoring/new",
        {"title": "Nov tečaj", "slug": "new-course", "source_language": "sl", "institution": "x"},
    )
    assert response.status_code == 302
    assert client.get("/courses/new-course/").status_code == 404
    login(client, other)
    assert client.get("/authoring/courses/new-course/").status_code == 403
    login(client, trainer)
    response = post(
        client, "/authoring/courses/new-course/lessons", {"slug": "welcome", "title": "Dobrodošli"}
    )
    assert response.headers["Location"].endswith("/authoring/courses/new-course/lessons/welcome/sl")
    response = publish(client, "new-course")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "summary in &#39;sl&#39; is empty" in page
    assert "<code>summary: {sl: &#39;&#39;}</code>" in page  # the line, beside its problem
    settings = "/authoring/courses/new-course/settings"
    form = {
        "csrf_token": csrf_token(client, settings),
        "base_hash": base_hash(client, settings),
        "title_sl": "Nov tečaj",
        "summary_sl": "Kratek povzetek.",
        "workload_hours": "2",
    }
    assert client.post(settings, data=form).status_code == 302
    path = "/authoring/courses/new-course/lessons/welcome/sl"
    form = lesson_form(client, path, title="Dobrodošli", body="## Uvod\n\nPrvo besedilo.\n")
    assert client.post(path, data=form).status_code == 302
    assert publish(client, "new-course").status_code == 302
    with app.app_context():
        course = get_course("new-course")
        assert course.origin == "editor"
        assert course.institution.slug == "bistra-ptuj"  # the trainer's own, not what was posted
        assert (
            db.session.scalar(
                select(CourseTrainer).where(CourseTrainer.course_id == course.id)
            ).user_id
            == trainer
        )
    assert client.get("/courses/new-course/").status_code == 200
    # A whole-folder sync leaves courses written in the browser alone.
    with app.app_context():
        sync_folder(COURSES)
        db.session.commit()
        assert not get_course("new-course").is_retired


def test_publishing_in_the_browser_gives_the_state_a_folder_sync_gives(app, client, trainer):
    from tests.courses.test_packages import state

    login(client, trainer)
    client.post(LESSON, data=lesson_form(client, body="## Section one sl\n\nSame content.\n"))
    assert publish(client).status_code == 302
    with app.app_context():
        published = state()
        revision = latest_revision(get_course("alpha").id)
        folder = COURSES.parent / "_unused"
        assert not folder.exists()
    target = app.config["STORAGE_DIR"] + "/folder"
    with app.app_context():
        from pathlib import Path

        root = Path(target)
        write_revision(revision, root / "alpha")
        shutil.copyfile(COURSES / "competences.yml", root / "competences.yml")
        # Back to the original, then the same content again from a folder.
        sync_folder(COURSES / "alpha")
        db.session.commit()
        assert state() != published
        sync_folder(root / "alpha")
        db.session.commit()
        assert state() == published


def test_settings_change_course_yml_and_a_stale_draft_asks_first(app, client, trainer):
    login(client, trainer)
    path = "/authoring/courses/alpha/settings"
    page = client.get(path).get_data(as_text=True)
    assert 'value="Alfa tečaj"' in page
    form = {
        "csrf_token": csrf_token(client, path),
        "base_hash": base_hash(client, path),
        "title_sl": "Alfa tečaj",
        "title_hr": "Alfa tečaj na hrvatskom",
        "title_en": "Alpha course, revised",
        "summary_sl": "Povzetek alfa.",
        "summary_hr": "Sažetak alfa.",
        "summary_en": "Alpha summary.",
        "workload_hours": "6",
        "certificate_validity_months": "",
        "institution": "bistra-ptuj",
        "level__activation-planning": "3",
    }
    assert client.post(path, data=form).status_code == 302
    # Meanwhile the course is synced from the folder with other content.
    with app.app_context():
        alpha = COURSES / "alpha"
        target = app.config["STORAGE_DIR"] + "/changed"
        shutil.copytree(alpha.parent, target)
        from pathlib import Path

        changed = Path(target) / "alpha" / "course.yml"
        changed.write_text(changed.read_text().replace("workload_hours: 4", "workload_hours: 5"))
        sync_folder(Path(target) / "alpha")
        db.session.commit()
    response = publish(client)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "after this draft was started" in page
    assert "workload_hours: 6" in page
    assert publish(client, overwrite="1").status_code == 302
    with app.app_context():
        course = get_course("alpha")
        assert course.workload_hours == 6
        assert [(c.competence.code, c.level) for c in course.competences] == [
            ("activation-planning", 3)
        ]
        assert {t.language: t.title for t in course.texts}["en"] == "Alpha course, revised"


def test_discarding_the_draft(app, client, trainer, make_user):
    login(client, trainer)
    client.post(LESSON, data=lesson_form(client, body="## Section\n\nThrow away.\n"))
    post(client, "/authoring/courses/alpha/discard", {})
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseDraft.id))) == 1
    post(client, "/authoring/courses/alpha/discard", {"confirm": "y"})
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseDraft.id))) == 0
    assert "Throw away." not in client.get(LESSON).get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/authoring/courses/alpha/",
        "/authoring/courses/alpha/settings",
        "/authoring/courses/alpha/history",
        "/authoring/courses/alpha/history/diff",
        LESSON,
        "/authoring/courses/alpha/quiz/sl",
    ],
)
def test_trainers_of_other_courses_cannot_open_the_editor(client, courses, make_user, path):
    login(client, make_user(roles={"trainer"}))
    assert client.get(path).status_code == 403
    login(client, make_user(roles={"admin"}))
    assert client.get(path).status_code == 200


def test_overview_and_history_run_a_fixed_number_of_queries(app, client, trainer):
    from app.core.database import count_queries

    login(client, trainer)

    def queries() -> int:
        with app.app_context(), count_queries() as counter:
            for path in ("/authoring/courses/alpha/", "/authoring/courses/alpha/history", LESSON):
                assert client.get(path).status_code == 200
        return counter.count

    def new_revision(number: int) -> None:
        body = f"## Part\n\nRevision {number}.\n"
        assert client.post(LESSON, data=lesson_form(client, body=body)).status_code == 302
        assert publish(client).status_code == 302

    new_revision(0)
    few = queries()
    for number in range(1, 4):
        new_revision(number)
    with app.app_context():
        assert latest_revision(get_course("alpha").id).number == 5
    assert queries() == few
    # More lessons in the draft: the same queries.
    lesson = {"slug": "extra", "title": "Extra"}
    assert post(client, "/authoring/courses/alpha/lessons", lesson).status_code == 302
    with_draft = queries()
    for number in range(3):
        lesson = {"slug": f"extra-{number}", "title": f"Extra {number}"}
        assert post(client, "/authoring/courses/alpha/lessons", lesson).status_code == 302
    assert queries() == with_draft


def test_a_save_that_races_another_fails_instead_of_overwriting(app, trainer):
    from sqlalchemy import update
    from sqlalchemy.orm.exc import StaleDataError

    from app.authoring import drafts

    path = "01-first.sl.md"
    with app.app_context():
        copy = drafts.working_copy("alpha")
        drafts.save_file(copy, path, "first\n", drafts.text_hash(copy.files[path]), trainer)
        db.session.commit()
        copy = drafts.working_copy("alpha")
        # Another request saves between this one's read and its write.
        with db.engine.begin() as other:
            other.execute(update(CourseDraft).values(version=CourseDraft.version + 1))
        with pytest.raises(StaleDataError):
            drafts.save_file(copy, path, "second\n", drafts.text_hash("first\n"), trainer)
        db.session.rollback()
        assert drafts.working_copy("alpha").files[path] == "first\n"


def test_a_draft_refused_for_a_reason_other_than_a_race_is_not_hidden(app, trainer):
    from sqlalchemy.exc import IntegrityError

    from app.authoring import drafts

    path = "01-first.sl.md"
    with app.app_context():
        copy = drafts.working_copy("alpha")
        # No such user: the foreign key refuses the draft, and there is no other draft to use.
        with pytest.raises(IntegrityError):
            drafts.save_file(copy, path, "first\n", drafts.text_hash(copy.files[path]), 999_999)
        db.session.rollback()
