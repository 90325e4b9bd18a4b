"""Developer tools that run the real app (screenshots)."""
