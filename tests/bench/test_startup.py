"""M1: what a web worker loads at start-up. Libraries only a few requests need (JSON-LD
canonicalisation, XLSX writing) are imported when first used, not by every worker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_worker_starts_without_the_libraries_few_requests_need(tmp_path):
    script = (
        "import json, sys\n"
        "import wsgi\n"
        "print(json.dumps(sorted(m for m in ('pyld', 'xlsxwriter') if m in sys.modules)))\n"
    )
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "STORAGE_DIR": str(tmp_path),
           "SOKROG_CONFIG": "development", "PATH": "/usr/bin:/bin"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []


def test_the_benchmarked_server_starts_under_the_production_configuration(tmp_path):
    """`make bench` serves the production configuration; its checks must pass there."""
    from bench.run import app_env

    env = app_env(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi; print(wsgi.app.config['IS_PRODUCTION'])"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "True"
