"""Running the platform: the job worker, the jobs page and the mail outbox for administrators."""
