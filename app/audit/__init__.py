"""The audit trail: an append-only, hash-chained record of security- and record-relevant acts."""
