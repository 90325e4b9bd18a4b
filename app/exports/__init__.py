"""Exports of a whole institution (HR matrix, certificates) written by the job worker."""
