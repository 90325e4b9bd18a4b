"""A draft's quiz as a question bank for Moodle: GIFT, or Moodle XML with its images."""

from __future__ import annotations

from app.authoring.drafts import WorkingCopy
from app.authoring.quiz_import import default_settings, draft_quiz
from app.courses.revisions import blob_bytes
from app.questions.bank import Bank
from app.questions.gift import export_gift
from app.questions.moodle_xml_export import export_moodle_xml

EXPORT_TYPES = {"gift": ("text/plain", "txt"), "xml": ("application/xml", "xml")}


def export_copy(copy: WorkingCopy, language: str, form: str) -> str:
    """The working copy's quiz in one language; each group is a category of its own."""
    bank = Bank.from_sources(draft_quiz(copy), copy.languages, default_settings(copy))
    questions = bank.categories(language)
    if form == "xml":

        def read_file(path: str) -> bytes | None:
            digest = copy.assets.get(path)
            return blob_bytes(digest) if digest else None

        return export_moodle_xml(questions, read_file)
    return export_gift(questions)
