"""Questions without a database: the question types, the Markdown quiz format, GIFT, storage."""
