"""The notifications a person may switch off on their profile (app.core.notifications)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.notifications import Kind, register

ASSIGNMENT_MADE = "assignment-made"
ASSIGNMENT_DUE = "assignment-due"
ASSIGNMENT_OVERDUE = "assignment-overdue"
CERTIFICATE_ISSUED = "certificate-issued"
EXPIRING = "expiring"
ESSAY_GRADED = "essay-graded"
OVERDUE_DIGEST = "overdue-digest"
# The mail kind of a digest of several reminders (the notices in it keep their own kinds).
DIGEST = "reminder-digest"

for _kind in (
    Kind(ASSIGNMENT_MADE, _l("A course assigned to me, with its due date"), order=10),
    Kind(ASSIGNMENT_DUE, _l("Reminders 7 days and 1 day before a due date"), order=11),
    Kind(ASSIGNMENT_OVERDUE, _l("An assigned course past its due date"), order=12),
    Kind(CERTIFICATE_ISSUED, _l("A certificate issued to me"), order=20),
    Kind(EXPIRING, _l("A certificate or competence expiring in 60 and in 14 days"), order=21),
    Kind(ESSAY_GRADED, _l("My essays graded"), order=30),
    Kind(
        OVERDUE_DIGEST,
        _l("A weekly overview of overdue courses in my institution"),
        order=40,
        roles=frozenset({"hr"}),
    ),
):
    register(_kind)
