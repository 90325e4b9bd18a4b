"""The 2SoKroG curriculum in courses/: complete, valid, loadable, tagged and spelled right."""

from __future__ import annotations

import csv
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.auth.partners import PARTNERS
from app.courses.loader import load_catalogue
from app.courses.models import Course, Lesson
from app.courses.sync import sync_folder
from app.courses.workload import estimate
from app.extensions import db
from app.framework.models import Competence, JobRole
from app.quizzes.models import QuizItem

ROOT = Path(__file__).parents[2]
COURSES = ROOT / "courses"
LANGUAGES = ("sl", "hr", "en")
ESCO = Path(__file__).parent / "data" / "esco-social-work-employment-extract.csv"
WORD_RE = re.compile(r"\w+")


@pytest.fixture(scope="module")
def curriculum():
    catalogue = load_catalogue(COURSES, {partner[0] for partner in PARTNERS})
    assert catalogue.errors == [], "\n".join(str(problem) for problem in catalogue.errors)
    return catalogue


def test_at_least_six_complete_courses(curriculum):
    assert len(curriculum.courses) >= 6
    for course in curriculum.courses:
        assert set(course.languages) == set(LANGUAGES), course.slug
        assert len(course.lessons) >= 4, course.slug
        assert course.workload_hours >= 1, course.slug
        assert course.institution, course.slug
        assert course.competences, f"{course.slug} develops no competence"
        assert all(1 <= claim.level <= 4 for claim in course.competences)


def test_every_lesson_is_a_real_lesson_in_three_languages(curriculum):
    for course in curriculum.courses:
        for lesson in course.lessons:
            assert set(lesson.files) == set(LANGUAGES), f"{course.slug}/{lesson.slug}"
            words = len(WORD_RE.findall(lesson.files["sl"].body))
            assert 600 <= words <= 1200, f"{course.slug}/{lesson.slug}: {words} words in sl"
            for language in ("hr", "en"):
                other = len(WORD_RE.findall(lesson.files[language].body))
                # The same content: translations are not summaries of the Slovenian text.
                assert other >= 0.75 * words, f"{course.slug}/{lesson.slug}.{language}: {other}"
                assert lesson.files[language].body.count("\n## ") == lesson.files["sl"].body.count(
                    "\n## "
                ), f"{course.slug}/{lesson.slug}.{language}: sections differ"


def test_every_course_states_outcomes_sources_and_a_glossary(curriculum):
    for course in curriculum.courses:
        claims = {claim.code for claim in course.competences}
        assert {outcome.competence for outcome in course.outcomes} == claims, course.slug
        for lesson in course.lessons:
            for lesson_file in lesson.files.values():
                assert lesson_file.outcomes, lesson_file.path
        assert len(course.materials.sources) >= 3, course.slug
        assert all(source.url.startswith("http") for source in course.materials.sources)
        assert len(course.materials.glossary) >= 5, course.slug
        kinds = {page.kind for page in course.materials.pages}
        assert {"case-study", "facilitator-guide"} <= kinds, course.slug
        for page in course.materials.pages:
            assert set(page.files) == set(LANGUAGES), f"{course.slug}/{page.slug}"
    # The courses that teach a procedure offer its form to download.
    templates = {
        course.slug
        for course in curriculum.courses
        for page in course.materials.pages
        if page.kind == "template"
    }
    assert {
        "activation-model-in-practice",
        "cross-border-cooperation",
        "poverty-risk-prevention",
    } <= templates


def test_a_level_3_path_with_assessments_that_can_evidence_it(curriculum):
    """Job roles target level 3: at least two courses take learners there, with essays at 3."""
    advanced = [
        course
        for course in curriculum.courses
        if any(claim.level == 3 for claim in course.competences)
    ]
    assert len(advanced) >= 2
    targeted = {
        code
        for role in curriculum.framework.job_roles
        for code, level in role.targets.items()
        if level >= 3
    }
    for course in advanced:
        essays = [q for q in course.quiz["sl"].questions if q.type == "essay"]
        assert sum(1 for q in essays if q.competence_level == 3) >= 2, course.slug
        assert {c.code for c in course.competences if c.level == 3} <= targeted, course.slug
        assert "template" in {page.kind for page in course.materials.pages}, course.slug


def test_declared_workload_follows_from_the_content(curriculum):
    """Certificates print workload_hours: no course may claim more than its content takes."""
    for course in curriculum.courses:
        work = estimate(course)
        assert not work.differs_from(course.workload_hours), (
            f"{course.slug}: {course.workload_hours} h declared, {work.hours:.1f} h estimated"
        )
    assert not [p for p in curriculum.problems if "workload_hours" in p.message]


def test_every_course_has_a_tagged_quiz_of_four_types(curriculum):
    for course in curriculum.courses:
        assert set(course.quiz) == set(LANGUAGES), course.slug
        claims = {claim.code: claim.level for claim in course.competences}
        questions = course.quiz["sl"].questions
        assert len(questions) >= 12, course.slug
        assert len({question.type for question in questions}) >= 4, course.slug
        for language in ("hr", "en"):
            translated = course.quiz[language].questions
            assert [q.type for q in translated] == [q.type for q in questions], (
                f"{course.slug} quiz.{language}"
            )
        for question in questions:
            if question.type == "description":
                continue
            assert question.competence in claims, f"{course.slug}: {question.title}"
            assert question.competence_level <= claims[question.competence], question.title


def test_the_framework_levels_competences_and_job_roles(curriculum):
    framework = curriculum.framework
    assert sorted(framework.levels) == [0, 1, 2, 3, 4]
    for names, descriptors in framework.levels.values():
        assert set(names) == set(descriptors) == set(LANGUAGES)
    assert 12 <= len(framework.competences) <= 20
    for competence in framework.competences:
        assert set(competence.names) == set(competence.descriptions) == set(LANGUAGES)
    assert len(framework.job_roles) >= 4
    assert all(role.targets for role in framework.job_roles)
    # Every competence is developed by some course.
    developed = {claim.code for course in curriculum.courses for claim in course.competences}
    assert developed == framework.competence_codes


def test_esco_uris_are_real_esco_skills(curriculum):
    with ESCO.open(encoding="utf-8") as handle:
        skills = {
            row["conceptUri"]: row["preferredLabel_en"]
            for row in csv.DictReader(handle)
            if row["type"] != "occupation"
        }
    uris = [c.esco_uri for c in curriculum.framework.competences if c.esco_uri]
    assert len(uris) >= 3
    assert set(uris) <= set(skills)
    # competences.yml quotes each skill's preferred label above its URI: the exact concept.
    text = (COURSES / "competences.yml").read_text(encoding="utf-8")
    for uri in uris:
        assert f'# ESCO skill: "{skills[uri]}"\n    esco: {uri}' in text, uri


def test_the_esco_extract_is_the_shared_one():
    shared = ROOT.parent / "shared" / "standards" / "esco" / ESCO.name
    if not shared.exists():
        pytest.skip("shared/ is not beside the repository")
    assert ESCO.read_bytes() == shared.read_bytes(), "copy shared/standards/esco/ into tests/"


def test_the_curriculum_loads_into_the_database(app, curriculum):
    with app.app_context():
        sync_folder(COURSES)
        db.session.commit()
        assert db.session.scalar(select(func.count(Course.id))) == len(curriculum.courses)
        lessons = sum(len(course.lessons) for course in curriculum.courses)
        assert db.session.scalar(select(func.count(Lesson.id))) == lessons
        assert db.session.scalar(select(func.count(Competence.id))) == len(
            curriculum.framework.competences
        )
        assert db.session.scalar(select(func.count(JobRole.id))) >= 4
        questions = sum(len(course.quiz["sl"].questions) for course in curriculum.courses)
        assert db.session.scalar(select(func.count(QuizItem.id))) == questions
        # A second sync of the same content changes nothing.
        assert sync_folder(COURSES).changes == []


def _spellcheck_module():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import spellcheck
    finally:
        sys.path.pop(0)
    return spellcheck


@pytest.mark.skipif(shutil.which("hunspell") is None, reason="hunspell is not installed")
def test_a_missing_dictionary_is_named_with_its_package(monkeypatch):
    spellcheck = _spellcheck_module()
    monkeypatch.setitem(spellcheck.DICTIONARIES, "en", "en_GB,xx_XX")
    assert spellcheck.missing_dictionaries(["en"]) == ["xx_XX"]
    with pytest.raises(spellcheck.MissingDictionary, match="xx_XX"):
        spellcheck.unknown_words({"colour"}, "en")
    monkeypatch.setitem(spellcheck.DICTIONARIES, "en", "en_GB")
    assert "hunspell-en-gb" in spellcheck.install_hint(["en_GB"])


def test_the_spelling_of_each_language_is_under_two_percent():
    if shutil.which("hunspell") is None:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(
                "hunspell is required in CI (apt-get install hunspell hunspell-sl hunspell-hr "
                "hunspell-en-gb hunspell-en-us)"
            )
        pytest.skip("hunspell is not installed")
    spellcheck = _spellcheck_module()
    missing = spellcheck.missing_dictionaries(list(LANGUAGES))
    if missing:
        # Say which dictionary to install, not a bare CalledProcessError from hunspell.
        pytest.fail(spellcheck.install_hint(missing))
    for language in LANGUAGES:
        report = spellcheck.check_language(COURSES, language)
        assert report["words"] > 20_000, language
        worst = list(report["unknown_words"])[:20]
        assert report["rate_percent"] < 2.0, f"{language}: {report['rate_percent']}% {worst}"
