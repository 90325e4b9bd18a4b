"""What every feature shares: models, permissions, Markdown, errors, security headers."""
