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

Keywords: `certificate_id`, `user_id`, `course_id`, `issued_by_id` (None when automatic),
`replaces_id` (the revoked certificate it replaces, or None).
"""

certificate_revoked = _events.signal("certificate-revoked")
"""An administrator of the issuing institution revoked a certificate.

Keywords: `certificate_id`, `user_id`, `revoked_by_id`.
"""

user_deactivated = _events.signal("user-deactivated")
"""An account was deactivated: it can no longer log in, its sessions have ended.

Keywords: `user_id`, `by_id` (None from the command line).
"""

user_logged_in = _events.signal("user-logged-in")
"""A person logged in.

Keywords: `user_id`, `method` ("password" or "sso").
"""

sso_login_refused = _events.signal("sso-login-refused")
"""A single sign-on through an institution's identity provider was refused (the provider was
down, a token or claim was wrong, the account may not sign in that way); nobody was logged in.

Keywords: `institution_id`, `reason` (a short code such as "provider-down", "token-expired",
"claim-missing", "email-unverified"), `detail` (what went wrong, in English, for the
administrators; never a token or secret), `email` (as the provider sent it, or None) and
`user_id` (the account it would have been, or None).
"""

sso_settings_changed = _events.signal("sso-settings-changed")
"""An institution's single sign-on settings were saved (the admin page or the command line).

Keywords: `institution_id`, `by_id` (None from the command line), `changes` (the names of the
settings that changed; the client secret's name, never its value).
"""

institution_changed = _events.signal("institution-changed")
"""An administrator changed how their institution appears (name, address, signatory).

Keywords: `institution_id`, `by_id`, `changes` (the names of the fields that changed).
"""

job_role_changed = _events.signal("job-role-changed")
"""An administrator created or edited a job role or its target profile in the browser.

Keywords: `job_role_id`, `by_id`, `institution_id` (the editor's), `changes` (what changed:
"names", the codes of competences whose target changed, or "created").
"""

users_synced = _events.signal("users-synced")
"""A load from an HR system was applied (`flask users sync`, not a dry run).

Keywords: `institution_id`, `created`, `updated`, `deactivated` (the e-mail addresses of each).
"""

login_failed = _events.signal("login-failed")
"""A login was refused: a wrong password, an unknown address or a deactivated account.

Keywords: `user_id` (None when no account has the address: the address itself is not passed,
it may be someone else's), `reason` ("password", "unknown", "inactive").
"""

user_created = _events.signal("user-created")
"""An account was created (by an administrator, the command line, an import).

Keywords: `user_id`, `by_id` (None from the command line), `source` ("admin", "cli", "import").
"""

roles_changed = _events.signal("roles-changed")
"""An account's roles changed.

Keywords: `user_id`, `by_id` (None from the command line), `added`, `removed` (sorted lists of
role names).
"""

user_erased = _events.signal("user-erased")
"""A person's personal data was erased on their request (the account stays, pseudonymised).

Keywords: `user_id`, `by_id` (None from the command line), `reason`.
"""

erasure_held = _events.signal("erasure-held")
"""An erasure was asked for but not done: the person has open course assignments and the
request was not confirmed. Nothing changed.

Keywords: `user_id`, `by_id`, `open_assignments` (how many).
"""

personal_data_exported = _events.signal("personal-data-exported")
"""Everything held about a person was exported (their download, or `flask users export-data`).

Keywords: `user_id`, `by_id` (who asked: the person, or None from the command line),
`export_id` (None from the command line).
"""

attempts_purged = _events.signal("attempts-purged")
"""Quiz attempts older than the retention period were deleted, answers included.

Keywords: `count`, `before` (the cut-off, an aware datetime).
"""

course_published = _events.signal("course-published")
"""A new revision of a course was published (the editor, a zip, `flask courses sync`).

Keywords: `course_id`, `revision` (its number), `author_id` (None from a folder sync), `source`
("folder", "import", "editor").
"""

course_enrolled = _events.signal("course-enrolled")
"""A learner was enrolled in a course (once per learner and course).

Keywords: `user_id`, `course_id`.
"""

evidence_recorded = _events.signal("evidence-recorded")
"""Evidence of competences was recorded (a course, a quiz, a rating, a self-assessment, or a
correction that supersedes an earlier record).

Keywords: `records`, a list of dicts with `evidence_id`, `user_id`, `competence_id`, `level`,
`source`, `recorded_by_id`, `supersedes_id`, `is_verified`.
"""

signing_key_created = _events.signal("signing-key-created")
"""A new signing key of an institution is active.

Keywords: `key_id`, `institution_id`, `by_id` (None from the command line).
"""

signing_key_retired = _events.signal("signing-key-retired")
"""A signing key was retired (replaced by a newer one): it signs nothing more, still verifies.

Keywords: `key_id`, `institution_id`, `by_id` (None from the command line).
"""

signing_key_compromised = _events.signal("signing-key-compromised")
"""A signing key was marked compromised: what it signed no longer verifies.

Keywords: `key_id`, `institution_id`, `by_id` (None from the command line).
"""

certificate_reissued = _events.signal("certificate-reissued")
"""A certificate was signed again under the active key (its old key was compromised).

Keywords: `certificate_id`, `user_id`, `key_id` (the new key).
"""

xapi_statement_refused = _events.signal("xapi-statement-refused")
"""The learning record store refused a statement (a 4xx answer); it stays in the outbox.

Keywords: `statement_id` (the UUID), `user_id` (or None), `status` (the HTTP status).
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
    user_logged_in,
    sso_login_refused,
    sso_settings_changed,
    users_synced,
    login_failed,
    user_created,
    roles_changed,
    user_erased,
    erasure_held,
    personal_data_exported,
    attempts_purged,
    course_published,
    course_enrolled,
    evidence_recorded,
    signing_key_created,
    signing_key_retired,
    signing_key_compromised,
    certificate_reissued,
    xapi_statement_refused,
    institution_changed,
    job_role_changed,
)
