"""Fixtures: the app on a real SQLite and a real PostgreSQL database, clients and factories."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from app import create_app
from app.auth.services import UserData, create_user, seed_institutions
from app.courses.sync import sync_folder
from app.extensions import db
from tests.mailserver import Inbox, SmtpServer

DATA = Path(__file__).parent / "data"
COURSES = DATA / "courses"
PASSWORD = "correct-horse-battery"
BACKENDS = ["sqlite", "postgresql"]


def _find_pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres_user(command: list[str]) -> list[str]:
    # initdb refuses to run as root; CI machines run as root and have a postgres user.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the whole run (or TEST_POSTGRES_URL if given)."""
    given = os.environ.get("TEST_POSTGRES_URL")
    if given:
        yield given
        return
    bin_dir = _find_pg_bin()
    if bin_dir is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL server binaries not found, and REQUIRE_POSTGRES=1")
        pytest.skip("PostgreSQL server binaries not found: PostgreSQL tests skipped")
    base = Path(tempfile.mkdtemp(prefix="sokrog-pg-"))
    data_dir = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    port = _free_port()
    subprocess.run(
        _as_postgres_user(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(data_dir),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale",
                "C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-F -p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        _as_postgres_user(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(data_dir),
                "-o",
                options,
                "-w",
                "-l",
                str(base / "log"),
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        admin = create_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE sokrog_test"))
        admin.dispose()
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/sokrog_test"
    finally:
        subprocess.run(
            _as_postgres_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data_dir), "-m", "immediate", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A throwaway Redis server (Debian's redis-server) for the whole run, on a free port."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(
                "redis-server not found, and REQUIRE_REDIS=1 (apt-get install redis-server)"
            )
        pytest.skip("redis-server not found: Redis tests skipped")
    port = _free_port()
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            __import__("time").sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory) -> dict[str, str]:
    """One migrated database per backend for the whole run; tests empty it after use."""
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"}
    return urls


_migrated: set[str] = set()


def _url_for(backend: str, request, database_urls) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("postgres_url")
    return database_urls["sqlite"]


def make_app(url: str, storage: Path, **overrides) -> Flask:
    config = {"SQLALCHEMY_DATABASE_URI": url, "STORAGE_DIR": str(storage), **overrides}
    app = create_app("testing", config)
    if url not in _migrated:
        with app.app_context():
            upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
        _migrated.add(url)
    return app


def empty_database(app: Flask) -> None:
    with app.app_context():
        tables = [table.name for table in db.metadata.sorted_tables]
        if db.engine.dialect.name == "postgresql":
            quoted = ", ".join(f'"{name}"' for name in tables)
            # The audit trail refuses TRUNCATE (a trigger): a test database is emptied as a
            # superuser with triggers off, for this transaction only.
            db.session.execute(text("SET LOCAL session_replication_role = replica"))
            db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                db.session.execute(text(f'DELETE FROM "{name}"'))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(params=BACKENDS)
def app(request, database_urls, tmp_path) -> Iterator[Flask]:
    """The real app on a clean database: SQLite and PostgreSQL in turn."""
    url = _url_for(request.param, request, database_urls)
    application = make_app(url, tmp_path / "storage")
    with application.app_context():
        seed_institutions()
        db.session.commit()
    try:
        yield application
    finally:
        empty_database(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    test_client = app.test_client()
    # Assertions read English; tests of other languages ask for them explicitly.
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An app context for tests that call services directly."""
    with app.app_context():
        yield
        db.session.rollback()


def create_signing_keys(app: Flask) -> None:
    """Every institution's first signing key, as `flask certificates keygen --missing` makes."""
    from app.auth.services import institutions
    from app.certificates.keys import active_key, generate_key

    with app.app_context():
        for institution in institutions():
            if active_key(institution.id) is None:
                generate_key(institution)
        db.session.commit()


@pytest.fixture
def courses(app: Flask) -> None:
    """The test courses (tests/data/courses) loaded, and the institutions' signing keys made."""
    with app.app_context():
        sync_folder(COURSES)
        db.session.commit()
    create_signing_keys(app)


@pytest.fixture
def courses_without_keys(app: Flask) -> None:
    """The test courses loaded before any institution has a signing key."""
    with app.app_context():
        sync_folder(COURSES)
        db.session.commit()


_counter = iter(range(1, 1_000_000))


@pytest.fixture
def make_user(app: Flask):
    """Create a user: make_user(roles={"hr"}, institution="csd-lasko", ...) -> user id."""

    def factory(
        roles: set[str] | tuple = (),
        institution: str = "csd-lasko",
        email: str | None = None,
        full_name: str | None = None,
        language: str = "en",
        is_active: bool = True,
        password: str = PASSWORD,
    ) -> int:
        from app.auth.services import institution_by_slug

        number = next(_counter)
        with app.app_context():
            user = create_user(
                UserData(
                    email=email or f"user{number}@example.org",
                    full_name=full_name or f"Test User {number}",
                    institution_id=institution_by_slug(institution).id,
                    language=language,
                    roles=set(roles),
                    is_active=is_active,
                ),
                password,
            )
            db.session.commit()
            return user.id

    return factory


def session_id(app: Flask, user_id: int) -> str:
    """What Flask-Login keeps in the session for this user: their id and session token."""
    from app.auth.models import User

    with app.app_context():
        return db.session.get(User, user_id).get_id()


def login(client: FlaskClient, user_id: int) -> None:
    """Log a user in through the session cookie, as Flask-Login does after a real login."""
    value = session_id(client.application, user_id)
    with client.session_transaction() as session:
        session["_user_id"] = value
        session["_fresh"] = True


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str | None = None) -> str:
    """A CSRF token from a page with a form: the catalogue's header for a logged-in client,
    the login form for a visitor (whose public pages carry none)."""
    for page in [path] if path else ["/courses/", "/login"]:
        match = CSRF_RE.search(client.get(page).get_data(as_text=True))
        if match:
            return match.group(1)
    raise AssertionError(f"no CSRF token on {path or '/courses/ or /login'}")


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """POST a form the way a browser does: with the CSRF token from a page."""
    form = {"csrf_token": csrf_token(client), **(data or {})}
    return client.post(path, data=form, **kwargs)


def assign_trainer(app: Flask, user_id: int, course_slug: str) -> None:
    """Assign a trainer to a course, as an administrator does on the course's trainers page."""
    from app.courses.models import CourseTrainer
    from app.courses.services import get_course

    with app.app_context():
        db.session.add(CourseTrainer(course_id=get_course(course_slug).id, user_id=user_id))
        db.session.commit()


def at_once(count: int, work) -> list[BaseException]:
    """Run work(index) in `count` threads released together; return what they raised."""
    import threading

    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            work(index)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    """A real SMTP server on 127.0.0.1 for the whole run (aiosmtpd)."""
    server = SmtpServer(_free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def inbox(app: Flask, smtp_server: SmtpServer) -> Iterator[Inbox]:
    """The app sends through the test SMTP server; what arrives is in the returned inbox."""
    from app.extensions import mail

    smtp_server.inbox.clear()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    mail.init_app(app)
    yield smtp_server.inbox
    smtp_server.inbox.clear()
