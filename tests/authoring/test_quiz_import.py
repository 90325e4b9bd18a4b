"""Question banks from Moodle in the editor: preview, into the draft, live only when published;
Moodle XML images checked like uploaded ones; the draft's quiz out as GIFT and Moodle XML."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from sqlalchemy import select

from app.authoring.drafts import find_draft
from app.courses.services import get_course
from app.extensions import db
from app.quizzes.models import Quiz, QuizItem
from tests.authoring.test_editor import base_hash, publish
from tests.conftest import csrf_token, login

PAGE = "/authoring/courses/alpha/quiz/import"
DATA = Path(__file__).parents[1] / "questions" / "data"
GIFT = """// [id:imp-1] [tag:imported]
::Imported one::[html]<p>Which office pays <b>benefit</b>?</p>{
\t=ZRSZ#Right.
\t~CSD
}

::Broken:: This one has no closing brace {=a

$CATEGORY: $course$/top/Pool

::Imported two::Activation is voluntary.{T}

::Imported three::Describe a client.{}
"""
TOKEN_RE = re.compile(r'name="token" type="hidden" value="([^"]+)"')


def upload(client, data: bytes, name: str = "bank.gift", language: str = "en", **extra):
    form = {
        "csrf_token": csrf_token(client, PAGE),
        "file": (io.BytesIO(data), name),
        "language": language,
        "format": "",
        "submit": "1",
        **extra,
    }
    return client.post(PAGE, data=form, content_type="multipart/form-data")


def confirm(client, page: str, language: str = "en", form: str = "gift", name="bank.gift"):
    token = TOKEN_RE.search(page)
    assert token, page
    data = {
        "csrf_token": csrf_token(client, PAGE),
        "token": token.group(1),
        "filename": name,
        "format": form,
        "language": language,
        "confirm": "1",
    }
    return client.post(PAGE, data=data, follow_redirects=True)


def live_items(app, slug: str = "alpha") -> list[QuizItem]:
    with app.app_context():
        quiz = db.session.scalar(select(Quiz).where(Quiz.course_id == get_course(slug).id))
        return [item for item in quiz.items if not item.is_retired]


def test_preview_then_the_draft_then_published(app, client, trainer):
    login(client, trainer)
    assert "Import questions from Moodle" in client.get(PAGE).get_data(as_text=True)
    preview = upload(client, GIFT.encode())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "3 questions found" in page
    assert "3 new, 0 unchanged, 0 updated" in page
    assert "bank.gift:7</code> the answers need both" in page  # the skipped one, at its line
    assert "Which office pays benefit?" in page
    with app.app_context():
        assert find_draft("alpha") is None  # a preview writes nothing
    done = confirm(client, page)
    text = done.get_data(as_text=True)
    assert "Imported into the draft: 3 new, 0 unchanged, 0 updated." in text
    assert "Imported one" in text  # the quiz editor, with the questions to edit
    with app.app_context():
        draft = find_draft("alpha")
        assert "Id: imp-1\nTags: imported\nFormat: html" in draft.files["quiz.en.md"]
        assert "## Group: Pool (pick: 2)" in draft.files["quiz.en.md"]
        # The other languages get copies to translate, so the draft stays publishable.
        assert "Title: Imported two" in draft.files["quiz.sl.md"]
    assert len(live_items(app)) == 6  # learners still have the published quiz
    again = upload(client, GIFT.encode()).get_data(as_text=True)
    assert "0 new, 3 unchanged, 0 updated" in again
    assert "Nothing to add" in again
    assert publish(client).status_code == 302
    stored = live_items(app)
    assert len(stored) == 9
    one = next(item for item in stored if item.key == "id:imp-1")
    assert one.texts["en"]["html"]["stem"] == "<p>Which office pays <strong>benefit</strong>?</p>"
    assert one.texts["en"]["tags"] == ["imported"]


def test_moodle_xml_images_are_checked_and_kept_with_the_draft(app, client, trainer):
    login(client, trainer)
    data = (DATA / "bank.xml").read_bytes()
    page = upload(client, data, "bank.xml").get_data(as_text=True)
    assert "9 questions found" in page
    assert "<code>images/chart-1.png</code>" in page
    assert "cannot be imported: skipped" in page
    confirm(client, page, form="xml", name="bank.xml")
    with app.app_context():
        draft = find_draft("alpha")
        assert "images/chart-1.png" in draft.assets
        assert 'src="images/chart-1.png"' in draft.files["quiz.en.md"]
    image = client.get("/authoring/courses/alpha/draft/files/images/chart-1.png")
    assert image.data.startswith(b"\x89PNG")
    assert publish(client).status_code == 302
    referral = next(item for item in live_items(app) if item.key == "id:basics-01")
    assert 'src="/courses/alpha/files/images/chart-1.png"' in referral.texts["en"]["html"]["stem"]
    assert client.get("/courses/alpha/files/images/chart-1.png").data.startswith(b"\x89PNG")
    assert referral.points == 2.0
    # The course as a zip keeps the image its HTML question shows.
    package = client.get("/authoring/courses/alpha/export.zip").data
    form = {
        "csrf_token": csrf_token(client, "/authoring/"),
        "package": (io.BytesIO(package), "a.zip"),
    }
    imported = client.post("/authoring/", data=form, content_type="multipart/form-data")
    assert imported.status_code == 302
    flashed = client.get("/authoring/").get_data(as_text=True)
    assert "Course alpha imported." in flashed
    assert "chart-1.png" not in flashed  # not among the files left out


def test_an_image_that_is_not_one_is_left_out_with_a_warning(app, client, trainer):
    login(client, trainer)
    fake = base64.b64encode(b"<script>not an image</script>").decode()
    xml = (
        '<quiz><question type="essay"><name><text>Look</text></name>'
        '<questiontext format="html"><text><![CDATA[<p>See <img src="@@PLUGINFILE@@/x.png">'
        '</p>]]></text><file name="x.png" path="/" encoding="base64">'
        f"{fake}</file></questiontext></question></quiz>"
    ).encode()
    page = upload(client, xml, "bad.xml").get_data(as_text=True)
    assert "x.png: This file is not a PNG, JPEG, GIF or WebP image." in page
    confirm(client, page, form="xml", name="bad.xml")
    with app.app_context():
        draft = find_draft("alpha")
        assert draft.assets.keys() == {"images/diagram.png"}
        assert "<img" not in draft.files["quiz.en.md"]


def test_a_broken_quiz_file_in_the_draft_refuses_the_import(app, client, trainer):
    login(client, trainer)
    page = "/authoring/courses/alpha/quiz/en"
    client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "base_hash": base_hash(client, page),
            "text": "---\ntitle: Broken\n---\n1. A question without answers\nnonsense line\n",
            "save": "1",
        },
    )
    response = upload(client, GIFT.encode())
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "correct them in the quiz editor first" in text
    assert "quiz.en.md:5" in text


def test_the_preview_kept_for_someone_else_is_not_theirs(app, client, trainer, make_user):
    login(client, trainer)
    page = upload(client, GIFT.encode()).get_data(as_text=True)
    other = make_user(roles={"trainer"})
    with app.app_context():
        from app.courses.models import CourseTrainer

        db.session.add(CourseTrainer(course_id=get_course("alpha").id, user_id=other))
        db.session.commit()
    login(client, other)
    response = confirm(client, page)
    assert "The preview has expired: upload the file again." in response.get_data(as_text=True)
    with app.app_context():
        assert find_draft("alpha") is None


def test_only_the_course_s_trainers_import_and_the_old_address_leads_there(
    app, client, trainer, make_user
):
    login(client, trainer)
    assert client.get("/authoring/courses/beta/quiz/import").status_code == 403
    old = client.get("/courses/alpha/quiz/import")
    assert old.status_code == 301
    assert old.headers["Location"].endswith(PAGE)
    wrong = upload(client, b"x", "bank.exe").get_data(as_text=True)
    assert "Upload a GIFT (.gift, .txt) or Moodle XML (.xml) file." in wrong


def test_the_draft_s_quiz_exports_for_moodle(app, client, trainer):
    login(client, trainer)
    gift = client.get("/authoring/courses/alpha/quiz/en/export.gift")
    assert gift.headers["Content-Disposition"] == 'attachment; filename="alpha-quiz-en.txt"'
    assert "::first-step::[markdown]What is the first step (en)?" in gift.get_data(as_text=True)
    xml = client.get("/authoring/courses/alpha/quiz/hr/export.xml")
    assert xml.mimetype == "application/xml"
    assert "<text>first-step</text>" in xml.get_data(as_text=True)
    assert client.get("/authoring/courses/alpha/quiz/de/export.xml").status_code == 404


def test_the_preview_shows_the_text_as_learners_read_it(app, client, trainer):
    login(client, trainer)
    gift = (
        "[plain]Is *this* a <b>tag</b>?{T}\n\n"
        "[markdown]Is **this** emphasis?{T}\n\n"
        "[html]<p>One</p><p>Two</p>{T}\n"
    )
    page = upload(client, gift.encode()).get_data(as_text=True)
    assert "Is *this* a &lt;b&gt;tag&lt;/b&gt;?" in page  # plain text: no emphasis, no backslash
    assert "Is this emphasis?" in page
    assert "One Two" in page  # blocks apart, tags gone


def test_the_kept_file_lives_in_the_storage_backend_and_a_later_preview_replaces_it(
    app, client, trainer
):
    from app.core import storage as module
    from app.core.storage import StoredFile

    app.config["STORAGE_BACKEND"] = "database"  # what every server behind a balancer reads
    module.init_app(app)
    login(client, trainer)
    first = upload(client, GIFT.encode()).get_data(as_text=True)
    with app.app_context():
        kept = db.session.scalars(select(StoredFile.key)).all()
        assert [key for key in kept if key.startswith("quiz-imports/")] == [
            f"quiz-imports/{trainer}"
        ]
    second = upload(client, b"::Other::Is this another file?{T}\n").get_data(as_text=True)
    stale = confirm(client, first).get_data(as_text=True)
    assert "The preview has expired: upload the file again." in stale
    assert "Imported into the draft: 1 new" in confirm(client, second).get_data(as_text=True)
    with app.app_context():
        assert "Title: Other" in find_draft("alpha").files["quiz.en.md"]
        assert db.session.get(StoredFile, f"quiz-imports/{trainer}") is None  # dropped
