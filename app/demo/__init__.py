"""Demo data: one account per role, for trying the platform out."""
