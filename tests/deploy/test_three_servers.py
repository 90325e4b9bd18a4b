"""Three gunicorn app servers and a job worker on one PostgreSQL and one Redis, behind nginx:
real flows through the proxy, with no errors and pages answered by every server."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from app.auth.services import UserData, create_user, institution_by_slug, seed_institutions
from app.courses.sync import sync_folder
from app.extensions import db
from tests.conftest import COURSES, PASSWORD, _free_port, create_signing_keys, make_app

ROOT = Path(__file__).parents[2]
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INSTANCES = ("app1", "app2", "app3")
pytestmark = pytest.mark.slow

NGINX = """
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 256; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    upstream sokrog {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 25m;
        location / {{
            proxy_pass http://sokrog;
            proxy_set_header Host $host:$server_port;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-Host $host:$server_port;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}
}}
"""


def _wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, postgres_url, redis_url) -> Iterator[dict]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("nginx is required in CI (apt-get install nginx)")
        pytest.skip("nginx not installed")
    base = tmp_path_factory.mktemp("three")
    admin = create_engine(
        postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS sokrog_three WITH (FORCE)"))
        connection.execute(text("CREATE DATABASE sokrog_three"))
    database = postgres_url.rsplit("/", 1)[0] + "/sokrog_three"
    redis_base = redis_url.rsplit("/", 1)[0]
    port = _free_port()
    public = f"http://127.0.0.1:{port}"
    settings = {
        "SECRET_KEY": "three-servers-secret-key-long-enough-0123456789",
        "DATABASE_URL": database,
        "REDIS_URL": f"{redis_base}/5",
        "JOBS_URL": f"{redis_base}/6",
        "STORAGE_BACKEND": "database",
        "STORAGE_DIR": str(base / "unshared"),
        "PUBLIC_BASE_URL": public,
        "TRUSTED_PROXIES": "1",
        "LOG_FORMAT": "json",
    }
    # Migrate, load the courses and make the keys and people, as `make run` would.
    setup = make_app(database, base / "setup", STORAGE_BACKEND="database", PUBLIC_BASE_URL=public,
                     SECRET_KEY=settings["SECRET_KEY"], JOBS_URL=settings["JOBS_URL"],
                     JOBS_IMMEDIATE=False)  # fmt: skip
    with setup.app_context():
        seed_institutions()
        sync_folder(COURSES)
        lasko = institution_by_slug("csd-lasko").id
        create_user(UserData("learner@three.example", "Lea Learner", lasko), PASSWORD)
        create_user(UserData("hr@three.example", "Hana HR", lasko, roles={"hr"}), PASSWORD)
        db.session.commit()
        db.engine.dispose()
    create_signing_keys(setup)

    env = {**os.environ, "SOKROG_CONFIG": "development", **settings}
    processes: list[subprocess.Popen] = []
    app_ports = []
    for name in INSTANCES:
        app_port = _free_port()
        app_ports.append(app_port)
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--preload", "-w", "2", "-b",
             f"127.0.0.1:{app_port}", "wsgi:app"],
            cwd=ROOT, env={**env, "INSTANCE_NAME": name, "STORAGE_DIR": str(base / name)},
            stdout=subprocess.DEVNULL, stderr=(base / f"{name}.log").open("w"),
        ))  # fmt: skip
    processes.append(subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi.py", "jobs", "worker"],
        cwd=ROOT, env={**env, "INSTANCE_NAME": "worker", "STORAGE_DIR": str(base / "worker")},
        stdout=subprocess.DEVNULL, stderr=(base / "worker.log").open("w"),
    ))  # fmt: skip
    prefix = base / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(NGINX.format(
        prefix=prefix, port=port, user="user root;" if os.geteuid() == 0 else "",
        servers="\n".join(f"        server 127.0.0.1:{p};" for p in app_ports),
    ))  # fmt: skip
    processes.append(subprocess.Popen(
        [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    ))  # fmt: skip
    try:
        for app_port in app_ports:
            _wait_for(f"http://127.0.0.1:{app_port}/readyz")
        _wait_for(f"{public}/healthz")
        yield {"url": public, "base": base}
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS sokrog_three WITH (FORCE)"))
        admin.dispose()


class Browser:
    """A session through nginx that records which server answered each page."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "en"
        self.served: dict[str, set[str]] = defaultdict(set)
        self.errors: list[str] = []

    def _record(self, label: str, response: requests.Response) -> requests.Response:
        self.served[label].add(response.headers.get("X-Instance", "?"))
        for hop in response.history:
            self.served[label].add(hop.headers.get("X-Instance", "?"))
        if response.status_code >= 400:
            self.errors.append(f"{label}: {response.status_code}")
        return response

    def get(self, path: str, label: str | None = None) -> requests.Response:
        return self._record(label or path, self.session.get(self.url + path, timeout=30))

    def post(
        self, path: str, data: dict | None = None, form_page: str = "/courses/"
    ) -> requests.Response:
        token = CSRF_RE.search(self.get(form_page, "csrf").text).group(1)
        response = self.session.post(
            self.url + path, data={"csrf_token": token, **(data or {})}, timeout=30
        )
        return self._record(path, response)


def test_real_flows_through_nginx_reach_every_server_without_errors(cluster):
    learner = Browser(cluster["url"])
    welcome = learner.post("/login", {"email": "learner@three.example", "password": PASSWORD},
                           form_page="/login")  # fmt: skip
    assert "Welcome, Lea Learner" in welcome.text
    for _ in range(3):
        learner.get("/courses/alpha/", "course page")
        learner.get("/my/learning", "my learning")  # four a round: each page meets each server
        learner.get("/courses/alpha/lessons/first", "lesson")
        learner.get("/courses/alpha/files/images/diagram.png", "course image")
    image = learner.get("/courses/alpha/files/images/diagram.png", "course image")
    assert image.content == (COURSES / "alpha" / "images" / "diagram.png").read_bytes()

    # A quiz, saved on one server and submitted on another.
    started = learner.post("/courses/alpha/quiz/start")
    attempt = re.search(r"/quiz/attempts/(\d+)", started.url).group(1)
    learner.post(f"/quiz/attempts/{attempt}/save", {"q0": "1"})
    submitted = learner.post(
        f"/quiz/attempts/{attempt}/submit",
        {"q0": "1", "q1": ["0", "1"], "q2": "true", "q3": "cas", "q4": "7", "q5": "An essay."},
    )
    assert f"/quiz/attempts/{attempt}" in submitted.url

    # A course completed; the worker issues its certificate.
    learner.post("/courses/beta/lessons/only/complete")
    deadline = time.monotonic() + 60
    code = None
    while code is None and time.monotonic() < deadline:
        page = learner.get("/my/certificates", "my certificates").text
        found = re.search(r"/verify/([A-Z0-9]+)", page)
        code = found.group(1) if found else None
        time.sleep(0.5)
    assert code, "the worker did not issue the certificate"
    anonymous = Browser(cluster["url"])
    for _ in range(3):
        verified = anonymous.get(f"/verify/{code}", "verify")
        assert "genuine and valid" in verified.text
    certificate_id = re.search(r"/certificates/(\d+)\.pdf", page).group(1)
    pdf = learner.get(f"/certificates/{certificate_id}.pdf", "pdf")
    assert pdf.content.startswith(b"%PDF")

    hr = Browser(cluster["url"])
    hr.post("/login", {"email": "hr@three.example", "password": PASSWORD}, form_page="/login")
    for _ in range(3):
        export = hr.get("/hr/matrix.csv", "matrix export")
        assert "Lea Learner" in export.content.decode("utf-8-sig")
        hr.get("/hr/certificates", "certificates list")

    errors = learner.errors + anonymous.errors + hr.errors
    assert errors == []
    served = defaultdict(set)
    for browser in (learner, anonymous, hr):
        for label, names in browser.served.items():
            served[label] |= names
    assert set().union(*served.values()) == set(INSTANCES)
    for label in ("course page", "lesson", "course image", "verify", "matrix export", "csrf"):
        assert len(served[label]) >= 2, (label, served[label])
    # Each server's log is JSON with the request id nginx gave it.
    log = (cluster["base"] / "app1.log").read_text()
    assert '"request_id"' in log
    assert '"instance": "app1"' in log
