"""Quizzes: question types, Markdown and GIFT formats, grading, attempts."""
