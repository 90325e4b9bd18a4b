"""Notifications: mails about assignments, due dates, certificates, expiries and grades."""
