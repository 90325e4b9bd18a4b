"""What each notification says: builders that write a notice in its reader's language.

Every builder returns a function of the recipient, called under their locale (see sending), so
course titles, dates and sentences are in the language the person chose. Links are built on
PUBLIC_BASE_URL (app.core.urls), never on a request's host.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext, ngettext

from app.auth.models import Institution, User
from app.certificates.models import Certificate
from app.competences.expiry import Lapsing
from app.core.urls import public_url
from app.courses.assignments import OverdueItem
from app.courses.models import Course, CourseAssignment
from app.courses.services import course_title
from app.notifications import kinds
from app.notifications.sending import Builder, Notice, long_date
from app.quizzes.models import QuizAttempt


def _course_link(course: Course) -> str:
    return public_url("courses.course", slug=course.slug)


def assignment_made(assignment: CourseAssignment) -> Builder:
    def build(user: User) -> Notice:
        title = course_title(assignment.course, user.language)
        due = long_date(assignment.due_on)
        return Notice(
            kinds.ASSIGNMENT_MADE,
            f"assignment:{assignment.id}",
            gettext("New course for you: %(course)s", course=title),
            gettext("New course for you: %(course)s, due by %(date)s.", course=title, date=due),
            [
                gettext(
                    "%(institution)s has assigned you the course \u201c%(course)s\u201d.",
                    institution=user.institution.name,
                    course=title,
                ),
                gettext("Please complete it by %(date)s.", date=due),
            ],
            _course_link(assignment.course),
            gettext("Open the course"),
        )

    return build


def assignment_due(assignment: CourseAssignment, stage: int, days_left: int) -> Builder:
    def build(user: User) -> Notice:
        title = course_title(assignment.course, user.language)
        due = long_date(assignment.due_on)
        when = (
            gettext("today")
            if days_left == 0
            else ngettext("in %(num)d day", "in %(num)d days", days_left)
        )
        return Notice(
            kinds.ASSIGNMENT_DUE,
            f"assignment:{assignment.id}:due-{stage}",
            gettext("Reminder: %(course)s is due %(when)s", course=title, when=when),
            gettext("%(course)s is due %(when)s (%(date)s).", course=title, when=when, date=due),
            [
                gettext(
                    "The course \u201c%(course)s\u201d assigned to you is due %(when)s, on "
                    "%(date)s, and you have not completed it yet.",
                    course=title,
                    when=when,
                    date=due,
                ),
            ],
            _course_link(assignment.course),
            gettext("Continue the course"),
        )

    return build


def assignment_overdue(assignment: CourseAssignment) -> Builder:
    def build(user: User) -> Notice:
        title = course_title(assignment.course, user.language)
        due = long_date(assignment.due_on)
        return Notice(
            kinds.ASSIGNMENT_OVERDUE,
            f"assignment:{assignment.id}:overdue",
            gettext("Overdue: %(course)s", course=title),
            gettext("%(course)s was due on %(date)s.", course=title, date=due),
            [
                gettext(
                    "The course \u201c%(course)s\u201d assigned to you was due on %(date)s "
                    "and is not completed yet. Your HR department sees it as overdue.",
                    course=title,
                    date=due,
                ),
                gettext("Please complete it as soon as you can."),
            ],
            _course_link(assignment.course),
            gettext("Continue the course"),
        )

    return build


def _certified_title(certificate: Certificate, language: str) -> str:
    return str(
        certificate.course_titles.get(language) or course_title(certificate.course, language)
    )


def certificate_issued(certificate: Certificate) -> Builder:
    def build(user: User) -> Notice:
        title = _certified_title(certificate, user.language)
        return Notice(
            kinds.CERTIFICATE_ISSUED,
            f"certificate:{certificate.id}",
            gettext("Your certificate: %(course)s", course=title),
            gettext(
                "Certificate %(serial)s for %(course)s.", serial=certificate.serial, course=title
            ),
            [
                gettext(
                    "Congratulations! %(institution)s has issued you the certificate "
                    "%(serial)s for the course \u201c%(course)s\u201d.",
                    institution=certificate.institution.name,
                    serial=certificate.serial,
                    course=title,
                ),
                gettext(
                    "Download it as a PDF or a digital credential under \u201cMy "
                    "certificates\u201d. Anyone you show it to can check it at this "
                    "address: %(link)s",
                    link=public_url("certificates.verify", code=certificate.code),
                ),
            ],
            public_url("certificates.mine"),
            gettext("Open my certificates"),
        )

    return build


def certificate_expiring(certificate: Certificate, stage: int) -> Builder:
    assert certificate.expires_on is not None

    def build(user: User) -> Notice:
        title = _certified_title(certificate, user.language)
        day = long_date(certificate.expires_on or date.max)
        return Notice(
            kinds.EXPIRING,
            f"certificate:{certificate.id}:expires-{stage}",
            gettext("Your certificate for %(course)s expires on %(date)s", course=title, date=day),
            gettext(
                "Certificate %(serial)s (%(course)s) expires on %(date)s.",
                serial=certificate.serial,
                course=title,
                date=day,
            ),
            [
                gettext(
                    "Your certificate %(serial)s for the course \u201c%(course)s\u201d is "
                    "valid until %(date)s.",
                    serial=certificate.serial,
                    course=title,
                    date=day,
                ),
                gettext(
                    "To keep the qualification, please arrange a refresher with your HR "
                    "department in time."
                ),
            ],
            public_url("certificates.mine"),
            gettext("Open my certificates"),
        )

    return build


def competence_expiring(lapsing: Lapsing, stage: int) -> Builder:
    def build(user: User) -> Notice:
        name = lapsing.competence.name(user.language)
        day = long_date(lapsing.expires_on)
        return Notice(
            kinds.EXPIRING,
            f"competence:{lapsing.competence.id}:{lapsing.expires_on.isoformat()}:{stage}",
            gettext(
                "Your competence \u201c%(name)s\u201d expires on %(date)s", name=name, date=day
            ),
            gettext(
                "Competence \u201c%(name)s\u201d (level %(level)d) expires on %(date)s.",
                name=name,
                level=lapsing.level,
                date=day,
            ),
            [
                gettext(
                    "Your verified level %(level)d in \u201c%(name)s\u201d is valid until "
                    "%(date)s.",
                    level=lapsing.level,
                    name=name,
                    date=day,
                ),
                gettext(
                    "A course, a quiz or a new rating renews it; \u201cMy competences\u201d "
                    "shows which courses develop it."
                ),
            ],
            public_url("competences.mine"),
            gettext("Open my competences"),
        )

    return build


def essay_graded(attempt: QuizAttempt) -> Builder:
    def build(user: User) -> Notice:
        title = course_title(attempt.quiz.course, user.language)
        return Notice(
            kinds.ESSAY_GRADED,
            f"attempt:{attempt.id}",
            gettext("Your quiz in %(course)s is graded", course=title),
            gettext("The quiz in %(course)s is graded.", course=title),
            [
                gettext(
                    "A trainer has graded the written answers of your quiz in the course "
                    "\u201c%(course)s\u201d. Your result and the trainer's comments are "
                    "ready.",
                    course=title,
                ),
            ],
            public_url("quizzes.result", attempt_id=attempt.id),
            gettext("See the result"),
        )

    return build


def overdue_digest(institution: Institution, items: list[OverdueItem], week: str) -> Builder:
    def build(user: User) -> Notice:
        rows = [
            (
                item.user.full_name,
                course_title(item.assignment.course, user.language),
                long_date(item.assignment.due_on),
            )
            for item in items
        ]
        count = len(rows)
        return Notice(
            kinds.OVERDUE_DIGEST,
            f"overdue:{institution.id}:{week}",
            ngettext(
                "%(num)d overdue course in %(institution)s",
                "%(num)d overdue courses in %(institution)s",
                count,
                institution=institution.short_name,
            ),
            "",
            [
                ngettext(
                    "This week %(num)d assigned course is past its due date and not completed:",
                    "This week %(num)d assigned courses are past their due "
                    "dates and not completed:",
                    count,
                ),
            ],
            public_url("competences.assignments_page"),
            gettext("Open the assigned courses"),
            template="overdue_digest",
            context={"rows": rows},
        )

    return build
