"""Questions without a database: the question types, the Markdown quiz format, GIFT, storage.

Below courses and quizzes, and importing only `app.core`: the course loader parses quiz files
with it, and quizzes store, ask and grade what it parses.
"""

# Each question type registers itself when its module is imported. Importing the types here
# makes the registry complete whichever module of this package is imported first.
from app.questions import types as _types  # noqa: F401
