"""Quizzes: the quiz and its items in the database, attempts, grading, statistics, GIFT import."""
