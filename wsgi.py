"""WSGI entry point: gunicorn wsgi:app."""

import gc

from app import create_app

app = create_app()
# Everything made at start-up (modules, the app, SQLAlchemy's mappers) lives as long as the
# worker: frozen, the garbage collector stops walking it, and a page that makes many objects
# (the HR matrix) no longer pays a full collection of the whole heap now and then (50-100 ms).
gc.collect()
gc.freeze()
