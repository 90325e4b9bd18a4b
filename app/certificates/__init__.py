"""Signed completion certificates: issuing, PDF, Open Badges 3.0 credentials and verification."""
