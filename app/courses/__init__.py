"""Courses and lessons: the Markdown loader, catalogue, lesson views and progress."""
