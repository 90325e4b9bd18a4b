"""The question types, one module each; importing this package registers every one of them.

A new type is one module here (a `QuestionType` subclass with `@register`) plus its template
`app/templates/quizzes/types/<name>.html` and its tests: nothing else names it.
"""

from __future__ import annotations

import importlib
import pkgutil

from app.questions.registry import QUESTION_TYPES, Grade, Issue, QuestionType, grade

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

TYPE_NAMES = tuple(QUESTION_TYPES)

__all__ = ["QUESTION_TYPES", "TYPE_NAMES", "Grade", "Issue", "QuestionType", "grade"]
