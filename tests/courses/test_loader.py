"""The course folder loader: parsing and every file:line check, without a database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.courses.loader import load_catalogue
from tests.conftest import COURSES

INSTITUTIONS = {"bistra-ptuj", "czss-cakovec"}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "courses"
    shutil.copytree(COURSES, root)
    return root


def messages(root: Path) -> list[str]:
    catalogue = load_catalogue(root, INSTITUTIONS)
    return [str(problem) for problem in catalogue.errors]


def test_the_test_courses_load_without_problems():
    catalogue = load_catalogue(COURSES, INSTITUTIONS)
    assert catalogue.problems == []
    alpha, beta = catalogue.courses
    assert alpha.slug == "alpha"
    assert [lesson.slug for lesson in alpha.lessons] == ["first", "second", "third"]
    assert [lesson.position for lesson in alpha.lessons] == [1, 2, 3]
    assert set(alpha.lessons[0].files) == {"sl", "hr", "en"}
    first = alpha.lessons[0].files["sl"]
    assert first.title == "First lesson sl"
    assert first.minutes == 10
    assert first.body_first_line == 6
    assert alpha.assets == ["images/diagram.png"]
    assert alpha.titles["hr"] == "Alfa tečaj na hrvatskom"
    assert [(claim.code, claim.level) for claim in alpha.competences] == [
        ("activation-planning", 2)
    ]
    assert beta.languages == ["sl"]
    assert catalogue.framework is not None
    assert catalogue.framework.competence_codes == {"activation-planning", "cooperation"}


def test_a_single_course_folder_can_be_checked(tree: Path):
    catalogue = load_catalogue(tree / "alpha", INSTITUTIONS)
    assert catalogue.is_single_course
    assert [course.slug for course in catalogue.courses] == ["alpha"]
    assert catalogue.errors == []


def test_content_hash_changes_with_any_file(tree: Path):
    before = load_catalogue(tree, INSTITUTIONS).courses[0].content_hash
    assert load_catalogue(tree, INSTITUTIONS).courses[0].content_hash == before
    path = tree / "alpha" / "03-third.en.md"
    path.write_text(path.read_text() + "\nMore.\n")
    assert load_catalogue(tree, INSTITUTIONS).courses[0].content_hash != before


def test_bad_yaml_is_reported_at_its_line(tree: Path):
    path = tree / "alpha" / "course.yml"
    path.write_text("slug: alpha\ntitle: {sl: x\nsummary: y\n")
    (problem,) = [m for m in messages(tree) if "course.yml" in m]
    assert problem.startswith(f"{path}:") or "alpha/course.yml:" in problem
    assert "invalid YAML" in problem
    line = int(problem.split(":")[1])
    assert line in (2, 3, 4)


def test_unknown_key_names_its_line(tree: Path):
    path = tree / "alpha" / "course.yml"
    path.write_text(path.read_text().replace("workload_hours: 4", "workload_hours: 4\nhours: 3"))
    lines = path.read_text().splitlines()
    expected = lines.index("hours: 3") + 1
    assert any(
        m.endswith(
            f"alpha/course.yml:{expected}: unknown key 'hours' in the course metadata "
            "(known: certificate_validity_months, competences, institution, languages, outcomes, "
            "slug, summary, title, workload_hours)"
        )
        for m in messages(tree)
    ), messages(tree)


def test_missing_title_in_a_lesson(tree: Path):
    path = tree / "alpha" / "02-second.hr.md"
    path.write_text("---\nsummary: no title\n---\n## Body\n")
    assert any("alpha/02-second.hr.md:2: missing key 'title'" in m for m in messages(tree))


def test_missing_course_title_language(tree: Path):
    path = tree / "alpha" / "course.yml"
    path.write_text(path.read_text().replace("  hr: Alfa tečaj na hrvatskom\n", ""))
    assert any("alpha/course.yml:2: title missing in 'hr'" in m for m in messages(tree))


def test_duplicate_slug(tree: Path):
    shutil.copytree(tree / "alpha", tree / "alpha-copy")
    assert any("duplicate course slug 'alpha'" in m for m in messages(tree))


def test_broken_internal_link_names_file_and_line(tree: Path):
    path = tree / "alpha" / "01-first.en.md"
    path.write_text(path.read_text().replace("02-second.md", "05-missing.md"))
    assert "courses/alpha/01-first.en.md:8: broken internal link: no lesson 'missing'" in "\n".join(
        messages(tree)
    )


def test_broken_image_and_missing_alt_text(tree: Path):
    path = tree / "alpha" / "01-first.sl.md"
    text = path.read_text().replace("images/diagram.png", "images/none.png")
    path.write_text(text + "\n![](images/diagram.png)\n")
    found = "\n".join(messages(tree))
    assert "alpha/01-first.sl.md:10: broken image: no file 'images/none.png'" in found
    assert "has no alt text" in found


@pytest.mark.parametrize("text", ["tukaj", "Click here", "**ovdje**", "Povezava"])
def test_link_text_must_say_where_it_goes(tree: Path, text: str):
    path = tree / "alpha" / "02-second.hr.md"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([*lines, "", f"Više informacija [{text}](https://www.hzz.hr)."]))
    # The text as readers see it (the parse tree's): **ovdje** is shown as "ovdje".
    shown = text.strip("*")
    expected = f"alpha/02-second.hr.md:{len(lines) + 2}: link text '{shown}' does not say where"
    assert any(expected in m for m in messages(tree)), messages(tree)


def test_lesson_missing_in_a_language(tree: Path):
    (tree / "alpha" / "03-third.hr.md").unlink()
    assert any(
        "alpha/03-third.en.md:1: lesson 'third' is missing in 'hr' (expected 03-third.hr.md)" in m
        or "alpha/03-third.sl.md:1: lesson 'third' is missing in 'hr'" in m
        for m in messages(tree)
    )


def test_dangerous_and_escaping_links_are_errors(tree: Path):
    path = tree / "alpha" / "03-third.sl.md"
    path.write_text(path.read_text() + "[x](javascript:alert(1))\n[y](../beta/course.yml)\n")
    found = "\n".join(messages(tree))
    assert "uses a scheme that is not allowed" in found
    assert "must stay inside the course folder" in found


def test_headings_must_not_use_level_one_or_skip_levels(tree: Path):
    path = tree / "alpha" / "03-third.sl.md"
    path.write_text(path.read_text() + "\n# Big\n\n#### Too deep\n\n```\n# not a heading\n```\n")
    found = [m for m in messages(tree) if "03-third.sl.md" in m]
    assert len(found) == 2
    assert "level-1 heading" in found[0]
    assert "heading level 4 follows level 1" in found[1]


def test_unknown_competence_institution_and_language(tree: Path):
    path = tree / "alpha" / "course.yml"
    text = path.read_text().replace("activation-planning", "no-such-thing")
    text = text.replace("bistra-ptuj", "nowhere").replace("[sl, hr, en]", "[sl, hr, en, de]")
    path.write_text(text)
    found = "\n".join(messages(tree))
    assert "unknown competence 'no-such-thing'" in found
    assert "unknown institution 'nowhere'" in found
    assert "unknown language 'de'" in found


def test_badly_named_lesson_file(tree: Path):
    (tree / "alpha" / "notes.md").write_text("hello")
    assert any("alpha/notes.md:1: a lesson file is named like" in m for m in messages(tree))


def test_front_matter_must_be_closed(tree: Path):
    (tree / "alpha" / "03-third.sl.md").write_text("---\ntitle: x\n## no end\n")
    assert any("03-third.sl.md:1: front matter not closed" in m for m in messages(tree))


def test_framework_errors_have_lines(tree: Path):
    path = tree / "competences.yml"
    text = path.read_text().replace("      cooperation: 2", "      cooperation: 7")
    path.write_text(
        text.replace(
            "  - id: cooperation\n    area: practice", "  - id: cooperation\n    area: nowhere"
        )
    )
    found = "\n".join(messages(tree))
    lines = path.read_text().splitlines()
    assert (
        f"competences.yml:{lines.index('    area: nowhere') + 1}: unknown area 'nowhere'" in found
    )
    assert f"competences.yml:{lines.index('      cooperation: 7') + 1}: a target level" in found


def test_links_are_read_from_the_parse_tree(tree: Path):
    """What a reader gets is checked: a link in fenced code is code; a reference-style link
    and one inside an admonition are links, reported at their lines."""
    path = tree / "alpha" / "01-first.sl.md"
    lines = path.read_text().splitlines()
    extra = [
        "",
        "```",
        "[not a link](nowhere.md)",
        "```",
        "",
        '!!! note "Opomba"',
        "    Glej [vire][v].",
        "",
        "[v]: images/missing.png",
    ]
    path.write_text("\n".join([*lines, *extra]) + "\n")
    found = messages(tree)
    assert not any("nowhere.md" in m for m in found)
    reference = len(lines) + 7
    assert any(
        f"alpha/01-first.sl.md:{reference}: broken link: no file 'images/missing.png'" in m
        for m in found
    ), found
