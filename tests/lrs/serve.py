"""Ralph's learning record store (its own FastAPI app, `ralph.api:app`) on its file backend, for
the xAPI tests; run with tests/lrs/.venv/bin/python: serve.py PORT.

`ralph runserver -b fs` serves the same app, but in ralph-malph 5.1.0 its file LRS backend
writes the statements file in "create" mode: the first statement creates fs_lrs.jsonl and
every later one fails with 500 "Statement indexation failed" (the file exists). Here the
backend appends instead, and uvicorn runs without runserver's reloader, in this one process.
The settings come from the environment (RALPH_RUNSERVER_BACKEND=fs, RALPH_AUTH_FILE, ...).
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

from ralph.api import app  # noqa: E402 - after the backend is set to append

uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
