"""A person's rights over their data: the export of everything held, erasure, and retention."""
