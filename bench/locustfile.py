"""Locust users of the load scenarios; `bench/run.py` starts locust headless with one class.

BENCH_USERS names the JSON file of signed session cookies and CSRF tokens the runner wrote;
BENCH_RATE is each simulated user's tasks per second, as random arrivals (0: as fast as the
server answers).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

import gevent
from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ.get("BENCH_USERS", "bench/.work/users.json"), encoding="utf-8") as handle:
    DATA = json.load(handle)
RATE = float(os.environ.get("BENCH_RATE", "0"))
FIELD_RE = re.compile(r'name="(q\d+)" value="([^"]+)"')
_next_learner = itertools.count()


def _wait():
    if RATE <= 0:
        return constant(0)

    # Random (Poisson) arrivals: users that wait a fixed time drift into step and arrive in
    # bursts, which measures queueing behind the burst rather than the page.
    def poisson(_user) -> float:
        return random.expovariate(RATE)

    return poisson


class BenchUser(FastHttpUser):
    abstract = True
    wait_time = _wait()
    # Sync workers close every connection; keep the client honest about that.
    concurrency = 1

    def on_start(self) -> None:
        number = next(_next_learner)
        self.learner = DATA["learners"][number % len(DATA["learners"])]
        self.rng = random.Random(number)
        if RATE > 0:
            # A user runs its first task as soon as it is spawned: without this wait, every
            # user of a rate-limited run arrives in the same second, a burst at the start.
            gevent.sleep(random.expovariate(RATE))

    def headers(self, person: dict | None = None) -> dict[str, str]:
        person = person or self.learner
        return {"Cookie": f"session={person['cookie']}", "Accept-Language": "sl"}


class H0User(BenchUser):
    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="H0 healthz")


class S1User(BenchUser):
    @task
    def anonymous(self) -> None:
        self.client.get("/courses/", name="S1 catalogue anonymous")

    @task
    def logged_in(self) -> None:
        self.client.get("/courses/", name="S1 catalogue logged in", headers=self.headers())


class S2User(BenchUser):
    @task
    def lesson(self) -> None:
        person = self.rng.choice(DATA["learners"])
        path = self.rng.choice(DATA["lessons"])
        self.client.get(path, name="S2 lesson", headers=self.headers(person))


class S3User(BenchUser):
    """Start an attempt, answer its 10 questions one autosave at a time, submit it."""

    @task
    def attempt(self) -> None:
        slug = self.rng.choice(DATA["courses"])
        headers = self.headers()
        form = {"csrf_token": self.learner["csrf"]}
        with self.client.post(
            f"/courses/{slug}/quiz/start", data=form, headers=headers, name="S3 start",
            allow_redirects=False, catch_response=True,
        ) as started:  # fmt: skip
            if started.status_code != 302:
                started.failure(f"start: {started.status_code}")
                return
            location = started.headers["Location"]
        path = location[location.index("/quiz/attempts/") :]
        page = self.client.get(path, headers=headers, name="S3 attempt page")
        answers: dict[str, str] = {}
        for name, value in FIELD_RE.findall(page.text or ""):
            answers.setdefault(name, value)
        json_headers = {**headers, "Accept": "application/json"}
        for name, value in answers.items():
            self.client.post(
                f"{path}/save", data={**form, name: value, f"{name}-present": "1"},
                headers=json_headers, name="S3 autosave",
            )  # fmt: skip
        with self.client.post(
            f"{path}/submit", data={**form, **answers}, headers=headers, name="S3 submit",
            allow_redirects=False, catch_response=True,
        ) as submitted:  # fmt: skip
            if submitted.status_code != 302:
                submitted.failure(f"submit: {submitted.status_code}")


class S4User(BenchUser):
    @task
    def matrix(self) -> None:
        self.client.get("/hr/matrix", name="S4 matrix", headers=self.headers(DATA["hr"]))


class S8User(BenchUser):
    """Staff reports on the busiest data (issue 20): a trainer's quiz statistics, attempts and
    progress of the course with the most attempts; HR's certificates; the summary."""

    @task
    def reports(self) -> None:
        slug = DATA["busiest_course"]
        trainer = self.headers(DATA["trainer"])
        self.client.get(f"/courses/{slug}/quiz/statistics", name="S8 quiz statistics",
                        headers=trainer)  # fmt: skip
        self.client.get(f"/courses/{slug}/quiz/attempts", name="S8 attempts", headers=trainer)
        self.client.get(f"/courses/{slug}/progress", name="S8 progress", headers=trainer)
        self.client.get("/hr/certificates", name="S8 certificates",
                        headers=self.headers(DATA["hr"]))  # fmt: skip
        self.client.get("/reports/summary", name="S8 summary",
                        headers=self.headers(DATA["admin"]))  # fmt: skip


class S7User(BenchUser):
    """A learner at work: reads lessons, looks at the catalogue and their learning, answers a
    quiz question now and then, with think time between pages."""

    # 5 to 30 s between pages (17.5 s on average): skimming a lesson of 10 KB or answering a
    # question takes longer than that; 500 such learners offer about 29 requests a second.
    wait_time = between(5, 30)

    def on_start(self) -> None:
        super().on_start()
        self.attempt_path = ""
        self.answers: list[tuple[str, str]] = []

    @task(6)
    def lesson(self) -> None:
        self.client.get(self.rng.choice(DATA["lessons"]), name="S7 lesson", headers=self.headers())

    @task(1)
    def catalogue(self) -> None:
        self.client.get("/courses/", name="S7 catalogue", headers=self.headers())

    @task(1)
    def my_learning(self) -> None:
        self.client.get("/my/learning", name="S7 my learning", headers=self.headers())

    @task(2)
    def autosave(self) -> None:
        headers = self.headers()
        form = {"csrf_token": self.learner["csrf"]}
        if not self.attempt_path:
            slug = self.rng.choice(DATA["courses"])
            started = self.client.post(
                f"/courses/{slug}/quiz/start", data=form, headers=headers, name="S7 quiz start",
                allow_redirects=False,
            )  # fmt: skip
            location = started.headers.get("Location") or ""
            if "/quiz/attempts/" not in location:
                return
            self.attempt_path = location[location.index("/quiz/attempts/") :]
            page = self.client.get(self.attempt_path, headers=headers, name="S7 attempt page")
            self.answers = list(dict(FIELD_RE.findall(page.text or "")).items())
            return
        if self.answers:
            name, value = self.answers.pop()
            self.client.post(
                f"{self.attempt_path}/save", data={**form, name: value, f"{name}-present": "1"},
                headers={**headers, "Accept": "application/json"}, name="S7 autosave",
            )  # fmt: skip
            return
        self.client.post(
            f"{self.attempt_path}/submit", data=form, headers=headers, name="S7 submit",
            allow_redirects=False,
        )  # fmt: skip
        self.attempt_path = ""
