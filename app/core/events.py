"""Domain events: what happened below, for the packages above to react to (blinker signals).

A lower package never calls up the stack. When something happens that a higher one must react to,
the lower one sends one of these signals, and the higher package connects its receiver in its own
`init_app`. Notifications, the audit trail and learning records (xAPI) hang off the same events,
so adding a reaction never touches the code that caused it.

Every signal is sent inside the request's (or command's) transaction, after the change is
flushed and before it is committed: a receiver writes in the same transaction, so either all of
it is kept or none. Receivers get keyword arguments only; the sender is always None.
"""

from __future__ import annotations

from blinker import Namespace

_events = Namespace()

course_loaded = _events.signal("course-loaded")
"""A course folder was loaded into the database (`flask courses sync`, a zip, the editor).

Keywords: `course_id`, `source` (the parsed `CourseSource`, with its quiz files),
`competences` ({code: id} of the framework). Receivers return a list of change descriptions
("updated quiz alpha") that the sync report shows.
"""

lesson_completed = _events.signal("lesson-completed")
"""A learner marked a lesson done (once per learner and lesson).

Keywords: `user_id`, `course_id`, `lesson_id`.
"""

attempt_graded = _events.signal("attempt-graded")
"""A quiz attempt got its final grade (on submit, or when its last essay was graded).

Keywords: `attempt_id`, `user_id`, `course_id`, `is_passed`, `scored` (a list of
(competence id, level, fraction, points) for the tagged questions) and `threshold` (the pass
mark as a fraction).
"""

answer_graded = _events.signal("answer-graded")
"""A trainer graded an essay answer.

Keywords: `answer_id`, `attempt_id`, `learner_id`, `grader_id`, `fraction`.
"""

course_completed = _events.signal("course-completed")
"""A learner completed a course: every lesson done and every requirement (the quiz) met.

Sent exactly once per learner and course. Keywords: `user_id`, `course_id`.
"""

assignment_made = _events.signal("assignment-made")
"""HR assigned a course with a due date, to one employee or to everyone of a job role.

Keywords: `assignment_id`, `institution_id`, `course_id`, `user_id` (None when assigned to a job
role), `job_role_id` (None when assigned to one employee), `due_on` (a date).
"""

certificate_issued = _events.signal("certificate-issued")
"""A certificate was issued (on completion, or by hand).

Keywords: `certificate_id`, `user_id`, `course_id`, `issued_by_id` (None when automatic).
"""

certificate_revoked = _events.signal("certificate-revoked")
"""An administrator of the issuing institution revoked a certificate.

Keywords: `certificate_id`, `user_id`, `revoked_by_id`.
"""

user_deactivated = _events.signal("user-deactivated")
"""An account was deactivated: it can no longer log in, its sessions have ended.

Keywords: `user_id`, `by_id` (None from the command line).
"""

ALL = (
    course_loaded,
    lesson_completed,
    attempt_graded,
    answer_graded,
    course_completed,
    assignment_made,
    certificate_issued,
    certificate_revoked,
    user_deactivated,
)
