"""Deterministic benchmark data at scale M (issue 8), S (a tenth, for CI) or L (ten times M):
courses, people, attempts with every answer given (a share right, a share wrong, essays with
text, graded), evidence and certificates; planner statistics refreshed after the load.

Courses and quizzes are written as a real courses/ folder and loaded with `sync_folder`, so
lessons carry HTML rendered by the real pipeline; everything else goes in with SQLAlchemy Core
`insert()` executemany in chunks, which is what makes 300,000 attempts take seconds.

    python -m bench.generate --scale M   # DATABASE_URL, STORAGE_DIR as for the app
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

SEED = 2026
PASSWORD = "bench-password-2sokrog"  # noqa: S105 - synthetic accounts of a benchmark database
BASE_TIME = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
CHUNK = 10_000


@dataclass(frozen=True)
class Scale:
    name: str
    institutions: int
    employees: int
    competences: int
    courses: int
    lessons_per_course: int
    lesson_bytes: int
    questions: int
    attempts: int
    evidence: int
    certificates: int


SCALES = {
    "M": Scale("M", 20, 5_000, 40, 30, 8, 10_000, 2_000, 300_000, 200_000, 20_000),
    # A tenth of M, except: the 15 partner institutions and 40 competences stay (the matrix keeps
    # its real width), and 4 courses, so 4 certificates per employee fit (one per course).
    "S": Scale("S", 15, 500, 40, 4, 8, 10_000, 200, 30_000, 20_000, 2_000),
    # Ten times M in people and records (50,000 staff, 3 million attempts): the targets hold
    # within twice their M figures here (issue 20). Hours to generate; run it on purpose.
    "L": Scale("L", 20, 50_000, 40, 30, 8, 10_000, 2_000, 3_000_000, 2_000_000, 200_000),
}
LANGUAGES = ("sl", "hr")
QUESTIONS_PER_ATTEMPT = 10
JOB_ROLES = 5
AREAS = 4

WORDS_TEXT = (
    "aktivacija socialno delo zaposlovanje uporabnik načrt podpora skupnost svetovalec "
    "vključevanje mreža partner cilj ocena sodelovanje motivacija pogovor izkušnja dolgotrajno "
    "brezposelnost ranljivost opolnomočenje krepitev znanje praksa program storitev center "
    "zavod primer delavnica spremljanje rezultat pristop okolje družina zdravje stanovanje "
    "socijalna skrb zapošljavanje korisnik plan potpora zajednica savjetnik uključivanje"
)
WORDS = WORDS_TEXT.split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def lesson_markdown(rng: random.Random, title: str, size: int) -> str:
    """A lesson of about `size` bytes: front matter, headings, paragraphs, a list and a table."""
    parts = [f"---\ntitle: {title}\nsummary: {_sentence(rng, 8)}\nminutes: 15\n---\n"]
    section = 0
    while sum(len(part.encode()) for part in parts) < size:
        section += 1
        parts.append(f"## {_sentence(rng, 4)[:-1]} {section}\n")
        parts.extend(
            " ".join(_sentence(rng, rng.randint(8, 18)) for _ in range(5)) + "\n" for _ in range(3)
        )
        parts.append("\n".join(f"- {_sentence(rng, 6)}" for _ in range(4)) + "\n")
        if section % 2 == 0:
            rows = "\n".join(f"| {rng.choice(WORDS)} | {rng.randint(1, 99)} |" for _ in range(4))
            parts.append(f"| pojem | vrednost |\n|---|---|\n{rows}\n")
    return "\n".join(parts)


def _framework_yaml(scale: Scale, rng: random.Random) -> str:
    lines = ["scale:"]
    for level, name in enumerate(("Brez", "Osnovno", "Samostojno", "Napredno", "Strokovnjak")):
        lines.append(f"  - level: {level}")
        lines.append(f"    name: {{sl: {name}, hr: {name}, en: Level {level}}}")
        lines.append(f"    descriptor: {{sl: Opis {level}., hr: Opis {level}., en: D{level}.}}")
    lines.append("areas:")
    for area in range(1, AREAS + 1):
        lines.append(f"  - id: area-{area}")
        lines.append(f"    name: {{sl: Področje {area}, hr: Područje {area}, en: Area {area}}}")
    lines.append("competences:")
    for number in range(1, scale.competences + 1):
        lines.append(f"  - id: comp-{number:02d}")
        lines.append(f"    area: area-{(number - 1) % AREAS + 1}")
        lines.append(
            f"    name: {{sl: Kompetenca {number}, hr: Kompetencija {number}, "
            f"en: Competence {number}}}"
        )
        lines.append(
            f"    description: {{sl: Opis {number}., hr: Opis {number}., en: D {number}.}}"
        )
    lines.append("job_roles:")
    for role in range(1, JOB_ROLES + 1):
        lines.append(f"  - id: role-{role}")
        lines.append(f"    name: {{sl: Vloga {role}, hr: Uloga {role}, en: Role {role}}}")
        lines.append("    targets:")
        for number in sorted(rng.sample(range(1, scale.competences + 1), 12)):
            lines.append(f"      comp-{number:02d}: {rng.randint(1, 4)}")
    return "\n".join(lines) + "\n"


def _quiz_markdown(rng: random.Random, scale: Scale, count: int, language: str) -> str:
    """`count` tagged questions in one group drawn 10 at a time, as the attempt of S3 asks."""
    lines = [
        "---",
        f"title: Preverjanje ({language})",
        "pass_mark: 60",
        "show_answers: immediately",
        "---",
        f"## Group: Pool (pick: {min(QUESTIONS_PER_ATTEMPT, count)})",
        "",
    ]
    for number in range(1, count + 1):
        competence = rng.randint(1, scale.competences)
        lines.append(f"Title: q{number:03d}")
        lines.append(f"Competence: comp-{competence:02d} @ {rng.randint(1, 3)}")
        kind = number % 3
        if number % 10 == 5:  # one question in ten an essay, graded by a trainer
            lines.append(f"{number}.  {_sentence(rng, 12)[:-1]}?")
            lines.append("___")
        elif kind == 0:
            lines.append("Type: truefalse")
            lines.append(f"{number}.  {_sentence(rng, 10)}")
            lines += ["*a) True", "b)  False"]
        elif kind == 1:
            right = rng.randint(0, 3)
            lines.append(f"{number}.  {_sentence(rng, 12)[:-1]}?")
            for index in range(4):
                letter = "abcd"[index]
                choice = f"*{letter}) " if index == right else f"{letter})  "
                lines.append(choice + _sentence(rng, 4))
        else:
            lines.append(f"{number}.  {_sentence(rng, 12)[:-1]}?")
            lines += [f"[*] {_sentence(rng, 3)}", f"[*] {_sentence(rng, 3)}"]
            lines += [f"[ ] {_sentence(rng, 3)}", f"[ ] {_sentence(rng, 3)}"]
        lines.append("")
    return "\n".join(lines)


def write_courses(
    root: Path,
    scale: Scale,
    institutions: list[str],
    courses: int | None = None,
    lessons_per_course: int | None = None,
    languages: tuple[str, ...] = LANGUAGES,
    with_quiz: bool = True,
) -> int:
    """Write a courses/ folder for the scale; returns the number of lesson files written."""
    rng = random.Random(SEED)  # reproducible benchmark data
    root.mkdir(parents=True, exist_ok=True)
    (root / "competences.yml").write_text(_framework_yaml(scale, rng), encoding="utf-8")
    courses = scale.courses if courses is None else courses
    lessons = scale.lessons_per_course if lessons_per_course is None else lessons_per_course
    per_quiz = math.ceil(scale.questions / max(1, scale.courses))
    written = 0
    for number in range(1, courses + 1):
        slug = f"bench-{number:03d}"
        folder = root / slug
        folder.mkdir(exist_ok=True)
        claims = sorted(rng.sample(range(1, scale.competences + 1), 3))
        meta = [
            f"slug: {slug}",
            "title:",
            *[f"  {language}: Tečaj {number} ({language})" for language in languages],
            "summary:",
            *[f"  {language}: {_sentence(rng, 12)}" for language in languages],
            f"languages: [{', '.join(languages)}]",
            "workload_hours: 8",
            f"institution: {institutions[number % len(institutions)]}",
            "competences:",
            *[f"  - id: comp-{claim:02d}\n    level: {rng.randint(1, 3)}" for claim in claims],
        ]
        (folder / "course.yml").write_text("\n".join(meta) + "\n", encoding="utf-8")
        for lesson in range(1, lessons + 1):
            for language in languages:
                text = lesson_markdown(rng, f"Lekcija {lesson} ({language})", scale.lesson_bytes)
                path = folder / f"{lesson:02d}-lesson-{lesson}.{language}.md"
                path.write_text(text, encoding="utf-8")
                written += 1
        if with_quiz:
            state = rng.getstate()
            for language in languages:
                # The same questions in every language: only the front matter title differs.
                rng.setstate(state)
                quiz = _quiz_markdown(rng, scale, per_quiz, language)
                (folder / f"quiz.{language}.md").write_text(quiz, encoding="utf-8")
    return written


def _chunks(rows: Iterable[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(model, rows: Iterable[dict]) -> int:
    from app.extensions import db

    total = 0
    for batch in _chunks(rows):
        db.session.execute(insert(model), batch)
        db.session.commit()  # see _insert_attempts
        total += len(batch)
    return total


def _quiz_pools(quiz_ids: Iterable[int]) -> dict[int, list]:
    """Each quiz's questions, for attempts built as the app builds them."""
    from app.extensions import db
    from app.quizzes.models import QuizItem

    pools: dict[int, list] = {quiz_id: [] for quiz_id in quiz_ids}
    for item in db.session.scalars(select(QuizItem).where(QuizItem.is_retired.is_(False))):
        pools.setdefault(item.quiz_id, []).append(item)
    return pools


def _candidates(question: dict) -> list:
    """Responses a learner could give to a question of the bench's types."""
    kind = question["type"]
    if kind == "truefalse":
        return [True, False]
    if kind == "single":
        return list(range(len(question["answers"])))
    if kind == "multiple":
        count = len(question["answers"])
        return [[i for i in range(count) if mask >> i & 1] for mask in range(1, 2**count)]
    return []


# (item id, language) -> (right responses, wrong responses): every attempt asks the same
# questions, so each is graded for its candidates once, not once per attempt.
_SPLITS: dict[tuple[int, str], tuple[list, list]] = {}


def _split(slot: dict) -> tuple[list, list]:
    from app.quizzes.services.attempts import _grade_slot

    key = (slot["item"], slot["language"])
    if key not in _SPLITS:
        right, wrong = [], []
        for value in _candidates(slot["question"]):
            (right if (_grade_slot(slot, value)[1] or 0.0) >= 0.999 else wrong).append(value)
        _SPLITS[key] = (right, wrong)
    return _SPLITS[key]


def _response(rng: random.Random, slot: dict, right: bool) -> object:
    """A right or a wrong response to the slot, or an essay's text."""
    if slot["question"]["type"] == "essay":
        return " ".join(_sentence(rng, 12) for _ in range(rng.randint(2, 6)))
    good, bad = _split(slot)
    return rng.choice((good if right else bad) or good + bad)


def _attempt(rng, items, quiz_id, user_id, number, person, at, ability) -> tuple[dict, list[dict]]:
    """A finished attempt with every slot answered, through the app's own slot builder and
    grading (so the rows are what the app writes); an essay graded by a trainer."""
    from app.quizzes.services.attempts import _grade_slot, _slot

    drawn = rng.sample(items, min(QUESTIONS_PER_ATTEMPT, len(items)))
    slots = [_slot(item, person["language"], False, rng) for item in drawn]
    answers, score, max_score = [], 0.0, 0.0
    for index, slot in enumerate(slots):
        value = _response(rng, slot, rng.random() < ability)
        columns, fraction = _grade_slot(slot, value)
        if columns.get("needs_grading"):
            fraction = rng.choice((0.0, 0.5, 1.0))  # a trainer's grade
            columns = {"needs_grading": False, "fraction": fraction, "graded_at": at}
        score += (fraction or 0.0) * slot["points"]
        max_score += slot["points"]
        answers.append({"slot": index, "item_id": slot["item"], "response": {"value": value},
                        "saved_at": at, "fraction": None, "needs_grading": False,
                        "comment": "", **columns})  # fmt: skip
    attempt = {
        "quiz_id": quiz_id, "user_id": user_id, "number": number,
        "language": person["language"], "state": "finished", "started_at": at,
        "submitted_at": at, "graded_at": at, "score": score, "max_score": max_score,
        "is_passed": max_score > 0 and 100 * score / max_score >= 60, "slots": slots,
    }  # fmt: skip
    return attempt, answers


def _insert_attempts(rows: Iterable[tuple[dict, list[dict]]]) -> int:
    """Attempts in chunks with their answers: each chunk's ids come back from its INSERT."""
    from app.extensions import db
    from app.quizzes.models import AttemptAnswer, QuizAttempt

    total = 0
    statement = insert(QuizAttempt).returning(QuizAttempt.id, sort_by_parameter_order=True)
    for batch in _chunks(rows, size=CHUNK // QUESTIONS_PER_ATTEMPT):
        ids = db.session.scalars(statement, [attempt for attempt, _ in batch]).all()
        answers = [
            {"attempt_id": attempt_id, **answer}
            for attempt_id, (_row, rows_of) in zip(ids, batch, strict=True)
            for answer in rows_of
        ]
        db.session.execute(insert(AttemptAnswer), answers)
        # A commit per chunk: in one transaction, SQLite's write-ahead log holds the whole
        # load until the end and then copies it into the file, twice the data on disk at
        # once (90 GB at scale L).
        db.session.commit()
        total += len(batch)
    return total


def analyze() -> None:
    """Fresh planner statistics after the bulk load, as a real database has after autovacuum:
    VACUUM ANALYZE on PostgreSQL (outside a transaction), ANALYZE on SQLite."""
    from sqlalchemy import text

    from app.extensions import db

    db.session.commit()
    engine = db.engine
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))


def _code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32, as real codes
    return "".join(rng.choice(alphabet) for _ in range(16))


@dataclass
class Generated:
    scale: str
    institutions: int
    employees: int
    competences: int
    courses: int
    lessons: int
    questions: int
    attempts: int
    evidence: int
    certificates: int
    seconds: float


def generate(scale: Scale, workdir: Path) -> Generated:
    """Fill an empty, migrated database (inside an app context) with the scale's data."""
    from app.auth.models import Institution, User, UserRole
    from app.auth.passwords import hash_password
    from app.auth.services import seed_institutions
    from app.certificates.keys import generate_key
    from app.certificates.models import Certificate, CertificateCounter
    from app.competences.models import Evidence
    from app.courses.models import Course, CourseText, Enrolment, Lesson, LessonProgress
    from app.courses.sync import sync_folder
    from app.extensions import db
    from app.framework.models import Competence, JobRole
    from app.quizzes.models import Quiz, QuizItem

    started = time.perf_counter()
    rng = random.Random(SEED)  # reproducible benchmark data
    # The load commits chunk by chunk: the rows it has read stay loaded across the commits.
    db.session().expire_on_commit = False
    seed_institutions()
    have = db.session.scalar(select(func.count(Institution.id))) or 0
    for number in range(have + 1, scale.institutions + 1):
        country = "SI" if number % 2 else "HR"
        db.session.add(
            Institution(slug=f"bench-{number:02d}", name=f"Benchmark institution {number}",
                        short_name=f"B{number}", country=country, kind="social-work-centre",
                        partner_role="associated", signatory_name="Bench Signatory",
                        signatory_title="Director")
        )  # fmt: skip
    db.session.flush()
    institutions = list(db.session.scalars(select(Institution).order_by(Institution.id)))
    for institution in institutions:
        institution.signatory_name = institution.signatory_name or "Bench Signatory"
        institution.signatory_title = institution.signatory_title or "Director"
    # A folder left by another scale would add its courses: start from nothing.
    shutil.rmtree(workdir / "courses", ignore_errors=True)
    write_courses(workdir / "courses", scale, [row.slug for row in institutions])
    sync_folder(workdir / "courses")
    db.session.flush()

    roles = list(db.session.scalars(select(JobRole.id).order_by(JobRole.id)))
    competences = list(db.session.scalars(select(Competence.id).order_by(Competence.id)))
    courses = list(db.session.scalars(select(Course).order_by(Course.id)))
    lessons: dict[int, list[int]] = {}
    for course_id, lesson_id in db.session.execute(
        select(Lesson.course_id, Lesson.id).order_by(Lesson.course_id, Lesson.position)
    ):
        lessons.setdefault(course_id, []).append(lesson_id)
    quizzes = dict(db.session.execute(select(Quiz.course_id, Quiz.id)).all())
    titles: dict[int, dict[str, str]] = {}
    for text in db.session.scalars(select(CourseText)):
        titles.setdefault(text.course_id, {})[text.language] = text.title

    password_hash = hash_password(PASSWORD)
    people = []
    for number in range(scale.employees):
        # Round robin: every institution gets employees / institutions (250 at scale M).
        institution = institutions[number % len(institutions)]
        people.append({
            "email": f"bench{number:05d}@{institution.slug}.bench.2sokrog.eu",
            "full_name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {number}",
            "password_hash": password_hash, "institution_id": institution.id,
            "job_role_id": roles[number % len(roles)],
            "language": "hr" if institution.country == "HR" else "sl",
            "is_active": True, "created_at": BASE_TIME,
        })  # fmt: skip
    for institution in institutions:
        people.append({
            "email": f"hr@{institution.slug}.bench.2sokrog.eu",
            "full_name": f"HR {institution.slug}",
            "password_hash": password_hash, "institution_id": institution.id, "job_role_id": None,
            "language": "sl", "is_active": True, "created_at": BASE_TIME,
        })  # fmt: skip
    _insert(User, people)
    ids = dict(
        db.session.execute(
            select(User.email, User.id).where(User.email.like("%.bench.2sokrog.eu"))
        ).all()
    )
    _insert(
        UserRole,
        ({"user_id": ids[f"hr@{row.slug}.bench.2sokrog.eu"], "role": "hr"} for row in institutions),
    )
    employees = [(ids[person["email"]], person) for person in people[: scale.employees]]

    enrolments, progress = [], []
    chosen: dict[int, list[Course]] = {}
    for user_id, _person in employees:
        picked = rng.sample(courses, min(len(courses), 3))
        chosen[user_id] = picked
        for course in picked:
            done = rng.randint(0, len(lessons.get(course.id, [])))
            complete = done == len(lessons.get(course.id, []))
            enrolments.append({"user_id": user_id, "course_id": course.id,
                               "enrolled_at": BASE_TIME,
                               "completed_at": BASE_TIME if complete else None})  # fmt: skip
            progress.extend(
                {"user_id": user_id, "lesson_id": lesson_id, "completed_at": BASE_TIME}
                for lesson_id in lessons.get(course.id, [])[:done]
            )
    _insert(Enrolment, enrolments)
    _insert(LessonProgress, progress)

    pairs = [(user_id, person, quiz) for user_id, person in employees for quiz in quizzes.values()]
    per_pair = math.ceil(scale.attempts / max(1, len(pairs)))

    pool = _quiz_pools(quizzes.values())
    _SPLITS.clear()  # item ids of another database's run mean other questions
    # Each person answers at their own level: a share right, a share wrong, as real groups do.
    ability = {user_id: rng.uniform(0.35, 0.95) for user_id, _person in employees}

    def attempts() -> Iterator[tuple[dict, list[dict]]]:
        made = 0
        for number in range(1, per_pair + 1):
            for user_id, person, quiz_id in pairs:
                if made >= scale.attempts:
                    return
                made += 1
                at = BASE_TIME + timedelta(minutes=made)
                yield _attempt(rng, pool[quiz_id], quiz_id, user_id, number, person, at,
                               ability[user_id])  # fmt: skip

    attempt_count = _insert_attempts(attempts())

    def evidence() -> Iterator[dict]:
        for made in range(scale.evidence):
            user_id, _person = employees[made % len(employees)]
            source = rng.choice(("course", "quiz", "rating", "rating"))
            yield {
                "user_id": user_id, "competence_id": rng.choice(competences),
                "level": rng.randint(0, 4), "source": source, "is_verified": True,
                "comment": "", "created_at": BASE_TIME + timedelta(seconds=made),
            }  # fmt: skip

    evidence_count = _insert(Evidence, evidence())

    keys = {institution.id: generate_key(institution).id for institution in institutions}
    serials: dict[int, int] = {}
    per_user = math.ceil(scale.certificates / max(1, len(employees)))

    def certificates() -> Iterator[dict]:
        made = 0
        for user_id, person in employees:
            for course in rng.sample(courses, min(len(courses), per_user)):
                if made >= scale.certificates:
                    return
                made += 1
                institution_id = course.institution_id
                serials[institution_id] = serials.get(institution_id, 0) + 1
                slug = next(row.slug for row in institutions if row.id == institution_id)
                yield {
                    "serial": f"{slug.upper()}-2026-{serials[institution_id]:06d}",
                    "code": _code(rng), "user_id": user_id, "course_id": course.id,
                    "institution_id": institution_id, "learner_name": person["full_name"],
                    "language": person["language"], "course_titles": titles[course.id],
                    "content_version": course.content_hash, "workload_hours": 8,
                    "competences": [], "signatory_name": "Bench Signatory",
                    "signatory_title": "Director", "issued_at": BASE_TIME,
                    "issued_on": BASE_TIME.date(), "expires_on": None,
                    "status_index": serials[institution_id] - 1, "key_id": keys[institution_id],
                    # Not signed: benchmarks read certificates, they do not verify these.
                    "credential": {"bench": True}, "pdf_languages": ["sl", "hr"],
                    "pdf_sha256": "", "pdf_en_sha256": "", "revoked_reason": "",
                }  # fmt: skip

    certificate_count = _insert(Certificate, certificates())
    _insert(
        CertificateCounter,
        (
            {"institution_id": institution_id, "year": 2026, "serial": count,
             "status_slots": count}
            for institution_id, count in serials.items()
        ),
    )  # fmt: skip
    db.session.commit()
    analyze()
    return Generated(
        scale=scale.name,
        institutions=len(institutions),
        employees=len(employees),
        competences=len(competences),
        courses=len(courses),
        lessons=sum(len(ids) for ids in lessons.values()),
        questions=db.session.scalar(select(func.count(QuizItem.id))) or 0,
        attempts=attempt_count,
        evidence=evidence_count,
        certificates=certificate_count,
        seconds=round(time.perf_counter() - started, 1),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="M")
    parser.add_argument("--workdir", type=Path, default=Path("bench/.work"))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from app import create_app

    app = create_app()
    with app.app_context():
        result = generate(SCALES[args.scale], args.workdir)
    print(asdict(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
