"""Quiz, its items (questions in each language), attempts and saved answers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.database import UTCDateTime, utcnow
from app.extensions import Model


class Quiz(Model):
    """The quiz at the end of a course; its settings come from the quiz file's front matter."""

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), unique=True)
    titles: Mapped[dict[str, Any]] = mapped_column(JSON)
    pass_mark: Mapped[float] = mapped_column(default=50)
    max_attempts: Mapped[int | None]
    time_limit_minutes: Mapped[int | None]
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_choices: Mapped[bool] = mapped_column(default=False)
    show_answers: Mapped[str] = mapped_column(String(24), default="after_last_attempt")
    # {group name: how many to draw}; questions outside a group are always asked.
    groups: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    is_retired: Mapped[bool] = mapped_column(default=False)

    course = relationship("Course")
    items: Mapped[list[QuizItem]] = relationship(
        back_populates="quiz", order_by="QuizItem.position", cascade="all, delete-orphan"
    )


class QuizItem(Model):
    """One question, in every language it is written in. Attempts keep their own frozen copy."""

    __table_args__ = (UniqueConstraint("quiz_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    # Stable across edits: the question's title, else its position; statistics follow it.
    key: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    group_name: Mapped[str | None] = mapped_column(String(200))
    points: Mapped[float] = mapped_column(default=1.0)
    competence_id: Mapped[int | None] = mapped_column(ForeignKey("competence.id"), index=True)
    competence_level: Mapped[int | None]
    # {language: question as a dict}; see app.questions.storage.
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    # "file" items follow the course folder; "gift" items were imported into the pool.
    origin: Mapped[str] = mapped_column(String(8), default="file")
    is_retired: Mapped[bool] = mapped_column(default=False)

    quiz: Mapped[Quiz] = relationship(back_populates="items")


class QuizAttempt(Model):
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        # The trainers' list of a quiz's attempts, newest first, a page at a time: read in
        # index order instead of sorting every attempt of a busy quiz for each page.
        Index("ix_quiz_attempt_quiz_started", "quiz_id", "started_at", "id"),
        # Whether a quiz's kept statistics are current (its finished attempts' count and last
        # grading) is read from this index alone, not from every attempt's row.
        Index("ix_quiz_attempt_quiz_state_graded", "quiz_id", "state", "graded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    language: Mapped[str] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16), default="in_progress", index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0)
    is_passed: Mapped[bool | None]
    # The exact questions shown, in order, with their choice order: later edits change nothing.
    slots: Mapped[list[Any]] = mapped_column(JSON)

    quiz: Mapped[Quiz] = relationship()
    user = relationship("User")
    answers: Mapped[list[AttemptAnswer]] = relationship(
        back_populates="attempt", order_by="AttemptAnswer.slot", cascade="all, delete-orphan"
    )

    @property
    def percent(self) -> float | None:
        if self.score is None or not self.max_score:
            return None
        return 100 * self.score / self.max_score


class AttemptAnswer(Model):
    __table_args__ = (UniqueConstraint("attempt_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempt.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[int]
    item_id: Mapped[int | None] = mapped_column(ForeignKey("quiz_item.id"), index=True)
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    fraction: Mapped[float | None]
    needs_grading: Mapped[bool] = mapped_column(default=False, index=True)
    grader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str] = mapped_column(Text, default="")

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class QuizStatistics(Model):
    """A quiz's item statistics as last computed, shared by every server: a busy quiz's
    aggregate over every answer is computed once per change of its attempts (or at most once in
    STATISTICS_MAX_AGE), not once per page view and process (app.quizzes.statistics)."""

    quiz_id: Mapped[int] = mapped_column(
        ForeignKey("quiz.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int]
    # The finished attempts' count and last grading time when computed: equal now, up to date.
    state: Mapped[str] = mapped_column(String(80))
    items: Mapped[list[Any]] = mapped_column(JSON)
