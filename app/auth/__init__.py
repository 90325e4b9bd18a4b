"""Users, roles, institutions, login and the administration of accounts."""
