"""Helpers shared by the certificate tests."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

from app.auth.models import User
from app.certificates import services
from app.certificates.models import Certificate
from app.courses.services import get_course
from app.extensions import db


def issue(app, user_id: int, slug: str = "beta", today: date | None = None) -> Certificate:
    """Issue (or find) the user's certificate for the course; returned detached from the session."""
    with app.app_context():
        user = db.session.get(User, user_id)
        certificate, _created = services.issue(user, get_course(slug), today=today)
        db.session.commit()
        db.session.refresh(certificate)
        db.session.expunge(certificate)
        return certificate


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, with runs of whitespace made single spaces."""
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())
