"""xAPI 1.0.3 statements of what learners did, modelled on the examples of the specification.

The actor is an account on this platform (homePage = PUBLIC_BASE_URL) named by a random
pseudonym, or the learner's mailbox only where XAPI_ACTOR_MBOX says so. Verbs are ADL's
(http://adlnet.gov/expapi/verbs/...), except "earned", for which ADL has none. Activity ids
are the public addresses of the courses, lessons, quizzes and certificates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.auth.models import User
from app.core.urls import public_base
from app.extensions import db
from app.xapi.models import XapiActor

ADL = "http://adlnet.gov/expapi/verbs/"
ACTIVITY = "http://adlnet.gov/expapi/activities/"
VERBS = {
    "launched": ADL + "launched",
    "completed": ADL + "completed",
    "answered": ADL + "answered",
    "passed": ADL + "passed",
    "failed": ADL + "failed",
    "mastered": ADL + "mastered",
    # No ADL verb says that a credential was earned; the xAPI registry's does.
    "earned": "http://id.tincanapi.com/verb/earned",
}
CERTIFICATE_TYPE = "http://id.tincanapi.com/activitytype/certificate"
# The proficiency level (1 to 4) a competence was evidenced at, in a result of "mastered".
LEVEL_EXTENSION = "https://2sokrog.eu/xapi/extensions/proficiency-level"
PLATFORM = "2SoKroG"


@dataclass(frozen=True)
class Activity:
    """An xAPI activity: its id (our public address), type and names by language."""

    path: str
    type: str
    names: dict[str, str]

    def as_object(self) -> dict[str, Any]:
        definition: dict[str, Any] = {"type": self.type}
        if self.names:
            definition["name"] = dict(sorted(self.names.items()))
        return {"objectType": "Activity", "id": public_base() + self.path, "definition": definition}


def course_activity(slug: str, titles: dict[str, str]) -> Activity:
    return Activity(f"/courses/{slug}/", ACTIVITY + "course", titles)


def lesson_activity(course_slug: str, slug: str, titles: dict[str, str]) -> Activity:
    return Activity(f"/courses/{course_slug}/lessons/{slug}", ACTIVITY + "lesson", titles)


def quiz_activity(course_slug: str, titles: dict[str, str]) -> Activity:
    return Activity(f"/courses/{course_slug}/quiz", ACTIVITY + "assessment", titles)


def question_activity(course_slug: str, item_id: int, key: str, language: str) -> Activity:
    return Activity(
        f"/courses/{course_slug}/quiz#question-{item_id}", ACTIVITY + "question", {language: key}
    )


def competence_activity(code: str, level: int, names: dict[str, str]) -> Activity:
    return Activity(f"/competences/{code}/levels/{level}", ACTIVITY + "objective", names)


def certificate_activity(code: str, titles: dict[str, str]) -> Activity:
    return Activity(f"/verify/{code}", CERTIFICATE_TYPE, titles)


def pseudonym(user_id: int) -> str:
    """The learner's stable pseudonym in the LRS, made the first time it is needed."""
    known = db.session.scalar(select(XapiActor.pseudonym).where(XapiActor.user_id == user_id))
    if known is not None:
        return known
    actor = XapiActor(user_id=user_id, pseudonym=str(uuid.uuid4()))
    db.session.add(actor)
    return actor.pseudonym


def actor(user: User) -> dict[str, Any]:
    if current_app.config["XAPI_ACTOR_MBOX"]:
        return {"objectType": "Agent", "mbox": f"mailto:{user.email}"}
    return {
        "objectType": "Agent",
        "account": {"homePage": public_base(), "name": pseudonym(user.id)},
    }


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statement(
    user: User,
    verb: str,
    target: Activity,
    when: datetime,
    *,
    result: dict[str, Any] | None = None,
    parent: Activity | None = None,
    grouping: Activity | None = None,
) -> dict[str, Any]:
    """One statement with a new id; the id is stored with it and never made again."""
    context: dict[str, Any] = {"platform": PLATFORM, "language": user.language}
    activities = {}
    if parent is not None:
        activities["parent"] = [parent.as_object()]
    if grouping is not None:
        activities["grouping"] = [grouping.as_object()]
    if activities:
        context["contextActivities"] = activities
    made: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": actor(user),
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": target.as_object(),
        "context": context,
        "timestamp": iso(when),
    }
    if result is not None:
        made["result"] = result
    return made


def score(raw: float, maximum: float) -> dict[str, float]:
    """An xAPI score: scaled in [0, 1], raw between min and max."""
    scaled = raw / maximum if maximum else 1.0
    return {
        "scaled": round(min(max(scaled, 0.0), 1.0), 4),
        "raw": round(raw, 4),
        "min": 0.0,
        "max": round(maximum, 4),
    }
