"""Bad input never ends in a 500: every form of every page, as each role, with generated values.

The forms are found by reading the pages (so a new form is fuzzed without a change here) and
posted with values a person, a script or an attacker might send: numbers beyond 64 bits, year
99999, NaN and Infinity, NUL bytes, long text, and files that are corrupt zips, truncated
images or an image that claims 40,000 x 40,000 pixels.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from tests.conftest import assign_trainer, login

ROLES = ("learner", "trainer", "hr", "admin")
# Pages whose forms are fuzzed, per role ({attempt} is the fuzzing learner's open attempt).
PAGES = {
    "learner": [
        "/courses/",
        "/courses/alpha/",
        "/courses/alpha/lessons/first",
        "/courses/alpha/quiz",
        "/quiz/attempts/{attempt}",
        "/my/competences",
        "/account/password",
        "/verify",
    ],
    "trainer": [
        "/certificates/issue",
        "/authoring/",
        "/authoring/new",
        "/authoring/courses/alpha/",
        "/authoring/courses/alpha/settings",
        "/authoring/courses/alpha/lessons/first/en",
        "/authoring/courses/alpha/quiz/en",
        "/authoring/courses/alpha/history",
        "/authoring/courses/alpha/quiz/import",
        "/quiz/grading/{answer}",
        "/hr/employees/{target}",
    ],
    "hr": [
        "/hr/matrix",
        "/hr/assignments",
        "/hr/assessors",
        "/hr/certificates",
        "/hr/employees/{target}",
    ],
    "admin": [
        "/admin/users",
        "/admin/users/new",
        "/admin/users/{target}",
        "/authoring/courses/alpha/trainers",
        "/certificates/{certificate}/revoke",
        "/issuers/czss-cakovec",
    ],
}
# Forms that end the fuzzing session or its subject rather than test input handling.
SKIPPED_ACTIONS = ("/logout", "/deactivate", "/discard", "/lessons/first/remove")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)  # name -> input type
    options: dict[str, list[str]] = field(default_factory=dict)
    hidden: dict[str, str] = field(default_factory=dict)


class FormReader(HTMLParser):
    """The forms of a page with their fields, as a browser would submit them."""

    def __init__(self, page_url: str) -> None:
        super().__init__()
        self.page_url = page_url
        self.forms: list[Form] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form":
            action = values.get("action") or self.page_url
            self.forms.append(Form(action, values.get("method", "get").lower()))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], values.get("name")
        if tag == "input" and name:
            kind = values.get("type", "text")
            if kind == "hidden":
                form.hidden[name] = values.get("value", "")
            elif kind not in ("submit", "button", "reset", "image"):
                form.fields[name] = kind
                if kind in ("checkbox", "radio"):
                    form.options.setdefault(name, []).append(values.get("value", "on"))
        elif tag in ("textarea", "select") and name:
            form.fields[name] = tag
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select:
            form.options.setdefault(self._select, []).append(values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _png(width: int, height: int, data: bytes = b"\x00") -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(data))


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


COURSE_YML = b"slug: fuzz\ntitle: {sl: Fuzz}\nlanguages: [sl]\nworkload_hours: 1\n"
CRAFTED_FILES = [
    b"",
    _png(40_000, 40_000),  # a decompression bomb in a few bytes
    _png(2, 2)[:30],  # a truncated image
    _png(1, 1, b"\x00\xff\x00\x00"),
    b"GIF89a" + b"\x00" * 20,
    _zip({"fuzz/course.yml": COURSE_YML})[:-25],  # truncated: no central directory end
    _zip({"fuzz/course.yml": COURSE_YML, "fuzz/01-a.sl.md": b"\xff\xfe not utf-8"}),
    _zip({"fuzz/course.yml": b"\x00" * 10_000_000}),  # compresses a thousand times
    _zip({"../evil.yml": b"x"}),
    b"PK\x03\x04" + b"\x00" * 100,
    "::Q1:: Was ist {=ja ~nein}\n".encode("utf-16"),
]
TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "-1",
            "99999999999999999999",
            "-9223372036854775809",
            "2147483648",
            "1e309",
            "NaN",
            "sNaN",
            "Infinity",
            "-Infinity",
            "99999-12-31",
            "0000-00-00",
            "2026-02-30",
            "\x00",
            "a\x00b",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "%(name)s {0} {{ 7*7 }}",
            "Šimić Đurđa Čakovec",
            "x" * 5000,
            "\ud7ff\ue000\U0010ffff",
        ]
    ),
    st.text(max_size=300),
    st.integers().map(str),
)


def _values(form: Form) -> st.SearchStrategy[dict]:
    parts = {}
    for name, kind in form.fields.items():
        if kind == "file":
            parts[name] = st.sampled_from(CRAFTED_FILES) | st.binary(max_size=3000)
        elif name in form.options:
            parts[name] = st.sampled_from(form.options[name]) | TEXTS
        else:
            parts[name] = TEXTS
    return st.fixed_dictionaries(parts)


def _encode(values: dict, form: Form) -> dict:
    data = {}
    for name, value in values.items():
        if form.fields.get(name) == "file":
            data[name] = (io.BytesIO(value), "upload.zip")
        else:
            data[name] = value
    return data


@pytest.fixture
def world(app, courses, make_user):
    """Everyone and everything the pages need: users of each role, an attempt, a certificate."""
    from app.auth.models import User
    from app.certificates.services import issue
    from app.courses.services import get_course
    from app.quizzes import services as quizzes

    target = make_user(full_name="Fuzz Target")
    users = {
        "learner": make_user(),
        "trainer": make_user(roles={"trainer"}),
        "hr": make_user(roles={"hr"}),
        "admin": make_user(roles={"admin"}, institution="czss-cakovec"),
    }
    for slug in ("alpha", "beta"):
        assign_trainer(app, users["trainer"], slug)
    with app.app_context():
        quiz = quizzes.quiz_for_course(get_course("alpha").id)
        graded = quizzes.start_attempt(target, quiz, "en")
        quizzes.submit_attempt(graded, {5: "An essay of the target."})
        answer = next(a for a in graded.answers if a.needs_grading).id
        attempt = quizzes.start_attempt(users["learner"], quiz, "en").id
        certificate, _ = issue(db.session.get(User, target), get_course("beta"))
        db.session.commit()
        ids = {
            "attempt": attempt,
            "answer": answer,
            "target": target,
            "certificate": certificate.id,
        }
    return users, ids


def _forms_of(client, path: str) -> list[Form]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    reader = FormReader(path)
    reader.feed(response.get_data(as_text=True))
    return [
        form
        for form in reader.forms
        if not any(skip in form.action for skip in SKIPPED_ACTIONS)
        and urlsplit(form.action).path != "/language"
    ]


def _fuzz(client, form: Form, path: str, failures: list[str]) -> None:
    """Send generated values through one form; a 500 is recorded with what caused it."""

    @settings(
        max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(values=_values(form))
    def send(values: dict) -> None:
        try:
            if form.method == "post":
                data = {**form.hidden, **_encode(values, form)}
                response = client.post(form.action, data=data)
            else:
                response = client.get(form.action, query_string=values)
        except Exception as error:  # the test client re-raises what would be a 500
            raise AssertionError(f"{form.action} from {path}: {values!r}: {error!r}") from error
        if response.status_code >= 500:
            raise AssertionError(f"{form.method.upper()} {form.action} from {path}: {values!r}")

    try:
        send()
    except AssertionError as error:
        failures.append(str(error))  # the shrunk example; go on, so one run lists them all


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_no_form_answers_bad_input_with_a_server_error(app, world, role):
    users, ids = world
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, users[role])
    failures: list[str] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for page in PAGES[role]:
        path = page.format(**ids)
        for form in _forms_of(client, path):
            signature = (form.action, tuple(sorted(form.fields)))
            if signature in seen or not form.fields:
                continue
            seen.add(signature)

            _fuzz(client, form, path, failures)
            login(client, users[role])  # a form may have changed the session (a password)
    assert failures == []
