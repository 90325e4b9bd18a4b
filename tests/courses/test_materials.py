"""Training materials: outcomes, glossary, sources, pages, links to pages and the workload check."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.courses.loader import load_catalogue
from app.courses.sync import sync_folder
from app.courses.workload import READING_WORDS_PER_MINUTE, count_words
from app.extensions import db
from tests.conftest import COURSES

INSTITUTIONS = {"bistra-ptuj", "czss-cakovec"}

OUTCOMES = """outcomes:
  - competence: activation-planning
    level: 2
    text:
      sl: Pripravite načrt.
      hr: Izradite plan.
      en: Draft a plan.
"""
GLOSSARY = """terms:
  - sl: individualni načrt
    hr: individualni plan
    en: individual plan
    definition:
      sl: Dogovor o ciljih.
      hr: Dogovor o ciljevima.
      en: An agreement on goals.
"""
SOURCES = """sources:
  - id: zsvarpre
    kind: law
    title: Zakon o socialnovarstvenih prejemkih (ZSVarPre)
    publisher: Uradni list RS
    url: https://pisrs.si/
    language: sl
    note:
      sl: Pravica do denarne socialne pomoči.
      hr: Pravo na novčanu socijalnu pomoć.
      en: The right to financial social assistance.
"""


def page(kind: str, title: str, body: str = "## Del\n\nBesedilo.\n") -> str:
    return f"---\ntitle: {title}\nkind: {kind}\n---\n{body}"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    alpha = root / "alpha"
    course = alpha / "course.yml"
    course.write_text(course.read_text() + OUTCOMES)
    materials = alpha / "materials"
    materials.mkdir(exist_ok=True)
    (materials / "glossary.yml").write_text(GLOSSARY)
    (materials / "sources.yml").write_text(SOURCES)
    for language in ("sl", "hr", "en"):
        (materials / f"plan-template.{language}.md").write_text(
            page(
                "template", f"Predloga {language}", "## Načrt\n\n| Cilj | Rok |\n|---|---|\n| | |\n"
            )
        )
    lesson = alpha / "01-first.sl.md"
    lesson.write_text(
        lesson.read_text().replace(
            "---\n",
            "---\noutcomes:\n  - competence: activation-planning\n    level: 1\n"
            "    text: Opišete načrt.\n",
            1,
        )
    )
    return root


def problems(root: Path, warnings: bool = False) -> list[str]:
    catalogue = load_catalogue(root, INSTITUTIONS)
    chosen = catalogue.problems if warnings else catalogue.errors
    return [str(problem) for problem in chosen]


def test_materials_load_into_plain_data(tree: Path):
    catalogue = load_catalogue(tree, INSTITUTIONS)
    alpha = catalogue.courses[0]
    assert [(o.competence, o.level, o.text["en"]) for o in alpha.outcomes] == [
        ("activation-planning", 2, "Draft a plan.")
    ]
    assert alpha.lessons[0].files["sl"].outcomes[0].text == {"": "Opišete načrt."}
    assert alpha.materials.glossary[0].terms == {
        "sl": "individualni načrt",
        "hr": "individualni plan",
        "en": "individual plan",
    }
    assert alpha.materials.sources[0].id == "zsvarpre"
    assert [page.slug for page in alpha.materials.pages] == ["form", "plan-template"]
    # The lesson's outcomes differ in the translations, which state none.
    assert any(
        "01-first.hr.md:2: the outcomes (competence and level) differ" in p for p in problems(tree)
    )


def test_outcomes_name_a_competence_of_the_course_at_most_at_its_level(tree: Path):
    course = tree / "alpha" / "course.yml"
    course.write_text(
        course.read_text().replace("    level: 2\n    text:", "    level: 3\n    text:")
    )
    assert any("outcome level 3 is above the course's level 2" in p for p in problems(tree))
    course.write_text(
        course.read_text().replace("- competence: activation-planning", "- competence: cooperation")
    )
    assert any(
        "outcome competence 'cooperation' is not one the course develops" in p
        for p in problems(tree)
    )


def test_glossary_and_sources_report_file_and_line(tree: Path):
    glossary = tree / "alpha" / "materials" / "glossary.yml"
    glossary.write_text(GLOSSARY.replace("    en: individual plan\n", ""))
    sources = tree / "alpha" / "materials" / "sources.yml"
    sources.write_text(
        SOURCES.replace("https://pisrs.si/", "ftp://pisrs.si/").replace("law", "rumour")
    )
    found = problems(tree)
    assert any("materials/glossary.yml:2: missing key 'en' in a glossary term" in p for p in found)
    assert any("materials/sources.yml:3: kind must be one of" in p for p in found)
    assert any("materials/sources.yml:6: a source's url starts with https://" in p for p in found)


def test_pages_exist_in_every_language_with_a_known_kind(tree: Path):
    materials = tree / "alpha" / "materials"
    (materials / "plan-template.en.md").unlink()
    (materials / "glossary.sl.md").write_text(page("template", "X"))
    (materials / "case.sl.md").write_text(page("story", "X"))
    found = problems(tree)
    assert any("page 'plan-template' is missing in 'en'" in p for p in found)
    assert any("'glossary' is a page the platform makes itself" in p for p in found)
    assert any("materials/case.sl.md:3: kind must be one of" in p for p in found)


def test_lessons_link_to_pages_and_broken_page_links_are_errors(tree: Path):
    lesson = tree / "alpha" / "03-third.sl.md"
    lesson.write_text(lesson.read_text() + "\n[Predloga načrta](materials/plan-template.md)\n")
    assert not any("03-third.sl.md" in p for p in problems(tree))
    lesson.write_text(lesson.read_text() + "\n[Manjka](materials/missing.md)\n")
    assert any("broken internal link: no page 'materials/missing'" in p for p in problems(tree))


def test_workload_warns_when_declared_hours_differ_from_the_content(tree: Path):
    assert not any("workload_hours" in p for p in problems(tree, warnings=True))
    course = tree / "alpha" / "course.yml"
    course.write_text(course.read_text().replace("workload_hours: 4", "workload_hours: 9"))
    warnings = [p for p in problems(tree, warnings=True) if "workload_hours is 9" in p]
    assert len(warnings) == 1
    assert "warning:" in warnings[0]
    assert "declare 4" in warnings[0]
    # A warning, never an error: the course still loads.
    assert not any("workload_hours is" in p for p in problems(tree))


def test_count_words_skips_link_targets():
    assert count_words("Read [the plan](materials/a-long-name.md) now.") == 4
    assert READING_WORDS_PER_MINUTE == 100


def test_pages_are_loaded_and_shown_on_the_course_page(app, client, tree: Path):
    for language in ("hr", "en"):
        lesson = tree / "alpha" / f"01-first.{language}.md"
        lesson.write_text(
            lesson.read_text().replace(
                "---\n",
                "---\noutcomes:\n  - competence: activation-planning\n    level: 1\n"
                f"    text: Outcome {language}.\n",
                1,
            )
        )
    with app.app_context():
        from app.auth.services import seed_institutions

        seed_institutions()
        sync_folder(tree)
        db.session.commit()
    page = client.get("/courses/alpha/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Learning outcomes" in page
    assert "Draft a plan." in page
    assert "evidence for the competence" in page
    assert "/courses/alpha/pages/glossary" in page
    assert "/courses/alpha/pages/plan-template/download" in page
    glossary = client.get("/courses/alpha/pages/glossary", headers={"Accept-Language": "hr"})
    text = glossary.get_data(as_text=True)
    assert "<th>Hrvatski</th>" in text
    assert "individualni načrt" in text
    sources = client.get("/courses/alpha/pages/sources", headers={"Accept-Language": "en"})
    assert 'href="https://pisrs.si/"' in sources.get_data(as_text=True)
    download = client.get("/courses/alpha/pages/plan-template/download")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "<table>" in download.get_data(as_text=True)
    assert client.get("/courses/alpha/pages/glossary/download").status_code == 404
    assert client.get("/courses/alpha/pages/nope").status_code == 404
