"""A real learning record store for the xAPI tests: Ralph's LRS on 127.0.0.1 with its file
backend, started once for the run from its own environment (tests/lrs/.venv, made by `make test`
from requirements/lrs.txt) by tests/lrs/serve.py, which says why not `ralph runserver`."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import _free_port

LRS = Path(__file__).parents[1] / "lrs"
LRS_VENV = LRS / ".venv"
USER, SECRET = "sokrog", "lrs-test-secret-0123"


def _ralph() -> str | None:
    own = LRS_VENV / "bin" / "ralph"
    return str(own) if own.exists() else shutil.which("ralph")


def _python_of(ralph: str) -> str:
    """The interpreter of the environment that holds `ralph` (its script's #! line)."""
    first = Path(ralph).read_text(encoding="utf-8", errors="replace").splitlines()[0]
    return first.removeprefix("#!").strip() or "python3"


@dataclass
class Lrs:
    url: str  # the xAPI base, e.g. http://127.0.0.1:PORT/xAPI
    key: str
    secret: str
    data: Path  # the file backend's folder

    def stored_count(self, statement_id: str) -> int:
        """How many times the LRS's file store holds a statement with this id."""
        count = 0
        for path in self.data.glob("*"):
            for line in path.read_text(encoding="utf-8").splitlines():
                count += bool(line.strip()) and json.loads(line).get("id") == statement_id
        return count

    def _get(self, query: str) -> dict[str, Any]:
        token = base64.b64encode(f"{self.key}:{self.secret}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - http to the LRS started here
            f"{self.url}/statements?{query}",
            headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"},
        )
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - our LRS
            return json.loads(response.read())

    def statement(self, statement_id: str) -> dict[str, Any] | None:
        """The stored statement with this id (Ralph answers with a list of one), or None."""
        answer = self._get(f"statementId={statement_id}")
        found = answer.get("statements", [answer]) if "statements" in answer else [answer]
        return found[0] if found else None

    def statements(self, **query: str) -> list[dict[str, Any]]:
        params = "&".join(f"{key}={value}" for key, value in {"limit": "500", **query}.items())
        return self._get(params)["statements"]

    def config(self) -> dict[str, str]:
        return {"XAPI_LRS_URL": self.url, "XAPI_LRS_KEY": self.key, "XAPI_LRS_SECRET": self.secret}


def _wait_for(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ralph runserver stopped: {log.read_text()[-2000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"ralph runserver did not start: {log.read_text()[-2000:]}")


@pytest.fixture(scope="session")
def lrs(tmp_path_factory) -> Iterator[Lrs]:
    ralph = _ralph()
    if ralph is None:
        if os.environ.get("REQUIRE_LRS") == "1":
            pytest.fail("ralph not found (make tests/lrs/.venv/.installed), and REQUIRE_LRS=1")
        pytest.skip(
            "ralph not found: run `make tests/lrs/.venv/.installed`; xAPI LRS tests skipped"
        )
    folder = tmp_path_factory.mktemp("lrs")
    env = {
        **os.environ,
        "RALPH_APP_DIR": str(folder / "app"),
        "RALPH_AUTH_FILE": str(folder / "auth.json"),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
    }
    subprocess.run(
        [ralph, "auth", "-u", USER, "-p", SECRET, "-s", "all", "-M", "mailto:lrs@example.org",
         "-w"],
        env=env, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    port = _free_port()
    log = folder / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [_python_of(ralph), str(LRS / "serve.py"), str(port)],
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_for(port, process, log)
        yield Lrs(f"http://127.0.0.1:{port}/xAPI", USER, SECRET, folder / "data")
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # the server's own process group
        process.wait(timeout=20)
