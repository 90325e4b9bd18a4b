"""Report the rate of words hunspell does not know in the course text, per language."""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

DICTIONARIES = {"sl": "sl_SI", "hr": "hr_HR", "en": "en_GB,en_US"}
DEFAULT_LIMIT = 2.0  # percent of unknown words the curriculum may have per language

# Markdown and quiz syntax that is not prose: removed before words are counted.
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"(?:https?://|www\.)\S+")
_QUIZ_META = re.compile(r"^\s*(Title|Type|Points|Competence|Diacritics):.*$", re.MULTILINE)
_ADMONITION = re.compile(r"^\s*!!!\s+[\w-]+", re.MULTILINE)
_CHOICE_MARKER = re.compile(r"^\s*\*?[a-z]\)\s", re.MULTILINE)
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def prose(text: str) -> str:
    """The readable text of a Markdown or quiz file, without markup, code and links."""
    patterns = (_FRONT_MATTER, _CODE_BLOCK, _INLINE_CODE, _QUIZ_META, _CHOICE_MARKER, _ADMONITION)
    for pattern in patterns:
        text = pattern.sub(" ", text)
    text = _LINK_TARGET.sub("]", text)
    return _URL.sub(" ", text)


def words(text: str) -> list[str]:
    # Tokens with digits are numbers, dates and codes, not words a dictionary should know.
    return [w for w in _WORD.findall(prose(text)) if not any(c.isdigit() for c in w)]


def load_allowlist(courses: Path, language: str) -> set[str]:
    path = courses / f"spelling-allowlist.{language}.txt"
    if not path.exists():
        return set()
    lines = path.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


# The Debian package that holds each dictionary, for a message that says what to install.
PACKAGES = {"sl_SI": "hunspell-sl", "hr_HR": "hunspell-hr", "en_GB": "hunspell-en-gb",
            "en_US": "hunspell-en-us"}  # fmt: skip


class MissingDictionary(RuntimeError):
    """hunspell cannot open a dictionary the language needs."""


@functools.cache
def available_dictionaries() -> frozenset[str]:
    """The dictionary names hunspell finds on its search path (`hunspell -D`)."""
    result = subprocess.run(
        ["hunspell", "-D"],  # noqa: S607
        input="",
        capture_output=True,
        text=True,
        check=False,
    )
    listing = result.stdout + result.stderr
    section = listing.split("AVAILABLE DICTIONARIES", 1)[-1].split("LOADED DICTIONARY", 1)[0]
    return frozenset(Path(line.strip()).name for line in section.splitlines()[1:] if line.strip())


def missing_dictionaries(languages: list[str]) -> list[str]:
    """The dictionaries these languages need that are not installed, e.g. ['en_GB']."""
    available = available_dictionaries()
    needed = [name for language in languages for name in DICTIONARIES[language].split(",")]
    return [name for name in needed if name not in available]


def install_hint(names: list[str]) -> str:
    packages = " ".join(PACKAGES.get(name, f"<the package of {name}>") for name in names)
    return f"hunspell dictionaries missing: {', '.join(names)} (apt-get install {packages})"


def unknown_words(candidates: set[str], language: str) -> set[str]:
    """The words hunspell's dictionary for the language does not accept."""
    if not candidates:
        return set()
    # hunspell quietly skips a missing second dictionary (en_GB,en_US): ask first.
    missing = missing_dictionaries([language])
    if missing:
        raise MissingDictionary(install_hint(missing))
    result = subprocess.run(  # noqa: S603 - fixed program, words passed on stdin
        ["hunspell", "-d", DICTIONARIES[language], "-l", "-i", "utf-8"],  # noqa: S607
        input="\n".join(sorted(candidates)),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"hunspell failed for {language}: {result.stderr.strip()}")
    return set(result.stdout.split())


def check_language(courses: Path, language: str) -> dict:
    counts: Counter[str] = Counter()
    where: dict[str, str] = {}
    files = sorted(courses.glob(f"*/*.{language}.md")) + sorted(
        courses.glob(f"*/materials/*.{language}.md")
    )
    for path in files:
        for word in words(path.read_text(encoding="utf-8")):
            counts[word] += 1
            where.setdefault(word, str(path.relative_to(courses)))
    allowed = load_allowlist(courses, language)
    # Hyphenated compounds are checked part by part, as hunspell does not know most compounds.
    parts = {part for word in counts for part in re.split(r"[-'’]", word) if part}
    unknown_parts = unknown_words(parts - allowed, language)
    unknown = {
        word: n
        for word, n in counts.items()
        if word not in allowed
        and any(part in unknown_parts for part in re.split(r"[-'’]", word) if part)
    }
    total = sum(counts.values())
    unknown_total = sum(unknown.values())
    return {
        "language": language,
        "files": len(files),
        "words": total,
        "unknown": unknown_total,
        "rate_percent": round(100 * unknown_total / total, 2) if total else 0.0,
        "unknown_words": {
            word: {"count": n, "first_file": where[word]}
            for word, n in sorted(unknown.items(), key=lambda item: (-item[1], item[0]))
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", nargs="?", default="courses", help="the courses folder")
    parser.add_argument("--language", choices=sorted(DICTIONARIES), action="append")
    parser.add_argument("--limit", type=float, default=DEFAULT_LIMIT, help="max unknown %%")
    parser.add_argument("--json", action="store_true", help="print the full report as JSON")
    parser.add_argument("--show", type=int, default=20, help="unknown words to list per language")
    args = parser.parse_args(argv)
    if shutil.which("hunspell") is None:
        print("hunspell is not installed (apt-get install hunspell hunspell-sl hunspell-hr)")
        return 2
    missing = missing_dictionaries(args.language or ["sl", "hr", "en"])
    if missing:
        print(install_hint(missing), file=sys.stderr)
        return 2
    courses = Path(args.path)
    reports = [check_language(courses, lang) for lang in args.language or ["sl", "hr", "en"]]
    failed = [r for r in reports if r["rate_percent"] > args.limit]
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            print(
                f"{report['language']}: {report['unknown']} of {report['words']} words unknown "
                f"({report['rate_percent']:.2f}%) in {report['files']} files"
            )
            for word, info in list(report["unknown_words"].items())[: args.show]:
                print(f"    {word} ({info['count']}x, {info['first_file']})")
    for report in failed:
        print(
            f"{report['language']}: unknown-word rate {report['rate_percent']:.2f}% "
            f"is above {args.limit}%",
            file=sys.stderr,
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
