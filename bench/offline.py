"""Scenarios measured in a process of their own, without a load generator: S4b (the XLSX export
of every employee) and S6 (`flask courses sync` of 250 and 500 lessons). Each prints JSON.

    python -m bench.offline s4b     # DATABASE_URL of a generated database
    python -m bench.offline s6 --workdir bench/.work/s6
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    """Resident memory now, from /proc (Linux), read as the server's workers' is."""
    from bench.run import MemoryWatch

    return MemoryWatch.rss_mb(os.getpid())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def s4b(output: Path) -> dict:
    """The whole matrix (every institution's employees x every competence) as XLSX."""
    from app import create_app
    from app.competences import reports
    from app.extensions import db

    app = create_app()
    with app.app_context():
        db.session.execute(db.select(1))  # connect and import everything before measuring
        before = rss_mb()
        started = time.perf_counter()
        # What `flask reports matrix --all --format xlsx` does.
        matrix = reports.stream_matrix(reports.MatrixFilter(institution_id=None))
        rows = reports.write_xlsx(matrix, "sl", str(output))
        seconds = time.perf_counter() - started
        columns = len(matrix.competences)
    return {
        "scenario": "S4b",
        "employees": rows,
        "competences": columns,
        "seconds": round(seconds, 2),
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "memory_growth_mb": round(peak_rss_mb() - before, 1),
        "bytes": output.stat().st_size,
    }


def _sync_seconds(folder: Path, env: dict[str, str]) -> float:
    flask = str(Path(sys.executable).parent / "flask")
    started = time.perf_counter()
    subprocess.run([flask, "courses", "sync", str(folder)], env=env, check=True,
                   capture_output=True)  # fmt: skip
    return time.perf_counter() - started


def s6(workdir: Path, sizes: tuple[int, ...] = (250, 500)) -> dict:
    """`flask courses sync` of a folder of N lessons (10 KB of Markdown each, one language),
    into a fresh SQLite database; the whole command, start-up included, as an author runs it."""
    from bench.generate import SCALES, write_courses

    flask = str(Path(sys.executable).parent / "flask")
    results = []
    for lessons in sizes:
        folder = workdir / f"courses-{lessons}"
        courses = lessons // 10
        write_courses(folder, SCALES["M"], ["csd-lasko", "czss-cakovec"], courses=courses,
                      lessons_per_course=10, languages=("sl",), with_quiz=False)  # fmt: skip
        database = workdir / f"s6-{lessons}.db"
        database.unlink(missing_ok=True)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "FLASK_APP": "wsgi.py",
               "SOKROG_CONFIG": "development", "STORAGE_DIR": str(workdir / "storage")}  # fmt: skip
        for command in (["db", "upgrade"], ["institutions", "seed"]):
            subprocess.run([flask, *command], env=env, check=True, capture_output=True, cwd=ROOT)
        results.append({"lessons": lessons, "seconds": round(_sync_seconds(folder, env), 2)})
    per_lesson = [row["seconds"] / row["lessons"] for row in results]
    return {
        "scenario": "S6",
        "runs": results,
        # 1.0 is perfectly linear; start-up (~1 s) makes small folders look dearer per lesson.
        "per_lesson_ratio": round(per_lesson[-1] / per_lesson[0], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["s4b", "s6"])
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / ".work")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    result = s4b(args.workdir / "matrix-all.xlsx") if args.scenario == "s4b" else s6(args.workdir)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
