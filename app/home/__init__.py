"""The home of each person after login (their dashboard) and the site's own pages."""
