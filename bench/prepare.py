"""Before the load: the in-process probes (SQL queries per request) and the credentials the
locust users need, written as JSON. Runs in its own process with the server's environment.

    python -m bench.prepare --users bench/.work/users.json   # prints the probes as JSON
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from bench import scenarios


def credentials(app, user_id: int) -> dict:
    """A signed session cookie of a logged-in user and a CSRF token that matches it, as the
    browser would hold them after logging in: the load measures pages, not scrypt."""
    raw = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - Flask-WTF's own token format
    session = {"_user_id": scenarios.session_id(app, user_id), "_fresh": True, "csrf_token": raw}
    cookie = app.session_interface.get_signing_serializer(app).dumps(session)
    secret = app.config.get("WTF_CSRF_SECRET_KEY") or app.config["SECRET_KEY"]
    token = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
    return {"id": user_id, "cookie": cookie, "csrf": token}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=Path, required=True)
    parser.add_argument("--learners", type=int, default=600)
    args = parser.parse_args()
    app = create_app()
    probes = scenarios.run_all(app, learners_count=5)
    learners = scenarios.learners(app, args.learners)
    hr, staff = scenarios.hr_of_largest_institution(app)
    trainer, admin, busiest = scenarios.staff_of_busiest_course(app)
    data = {
        # The first few learners are the in-process probes': the load uses the others.
        "learners": [credentials(app, user_id) for user_id in learners[5:]],
        "hr": credentials(app, hr),
        "hr_staff": staff,
        "trainer": credentials(app, trainer),
        "admin": credentials(app, admin),
        "busiest_course": busiest,
        "lessons": scenarios.lesson_paths(app),
        "courses": scenarios.course_slugs(app),
    }
    args.users.parent.mkdir(parents=True, exist_ok=True)
    args.users.write_text(json.dumps(data), encoding="utf-8")
    print(json.dumps({name: probe.as_dict() for name, probe in probes.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
