"""Learning records as xAPI 1.0.3 statements, kept in an outbox and sent to an LRS by jobs."""
