"""`make bench`: generate scale-M data, serve it with gunicorn (3 sync workers) on SQLite in WAL
mode and on PostgreSQL when its binaries are there, load it with locust headless from a second
process, and write bench/report.json and bench/REPORT.md.

    python -m bench.run [--scale M|S|L] [--databases sqlite,postgresql] [--seconds 20]
                        [--generate-only | --reuse]
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
WORK = ROOT / "bench" / ".work"
SECRET = "bench-only-secret-key-not-for-any-real-server-2sokrog"  # noqa: S105
# A Fernet key (32 bytes, url-safe base64) that encrypts the signing keys of the bench only.
KEK = base64.urlsafe_b64encode(b"bench-only-kek-not-for-real-use!").decode()
WORKERS = 3
# Users of the half-rate runs: enough that their random arrivals approach a Poisson stream.
HALF_RATE_USERS = 32

# Locust user class, and how many HTTP requests one of its tasks makes.
LOAD_SCENARIOS = {
    "H0": ("H0User", 1),
    "S1": ("S1User", 1),
    "S2": ("S2User", 1),
    "S3": ("S3User", 13),  # start, attempt page, 10 autosaves, submit
    "S4": ("S4User", 1),
    "S8": ("S8User", 5),  # statistics, attempts, progress, certificates, summary
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    return None


def _as_postgres(command: list[str]) -> list[str]:
    # initdb refuses to run as root; where we are root, the postgres user runs it.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster, as the test suite starts one (but with fsync on)."""
    bin_dir = _pg_bin()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found")
    base = Path(tempfile.mkdtemp(prefix="sokrog-bench-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    data, port = base / "data", _free_port()
    subprocess.run(
        _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                      "-E", "UTF8", "--locale", "C.UTF-8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    # synchronous_commit=off is what SQLite's WAL with synchronous=NORMAL gives (app/core/
    # database.py): a crash of the machine may lose the last commits, never corrupts; without
    # it every autosave waits for a disk flush, which measures the disk, not the app.
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c max_connections=100 "
        "-c synchronous_commit=off"
    )
    subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
                      str(base / "log"), "start"]),
        check=True, capture_output=True,
    )  # fmt: skip
    try:
        subprocess.run(
            _as_postgres([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                          "-U", "postgres", "sokrog_bench"]),
            check=True, capture_output=True,
        )  # fmt: skip
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/sokrog_bench"
    finally:
        subprocess.run(
            _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def sqlite(folder: Path, reuse: bool = False) -> Iterator[str]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in [] if reuse else folder.glob("bench.db*"):
        old.unlink()
    yield f"sqlite:///{folder / 'bench.db'}"


def _run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _last_json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1].replace("'", '"'))


class MemoryWatch:
    """Samples the resident memory of gunicorn's workers, four times a second."""

    def __init__(self, master: int) -> None:
        self.master = master
        self.peak: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.master}/task/{self.master}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """User and system CPU time the workers have used so far (/proc/<pid>/stat)."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        return total / ticks

    @staticmethod
    def _proc_mb(path: str, field: str) -> float:
        """A size in MB from a /proc file of "Field:  1234 kB" lines (0 once it is gone)."""
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(field):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return 0.0

    @classmethod
    def pss_mb(cls, pid: int) -> float:
        """The proportional share: pages shared with the other workers (the --preload'ed
        app) count a third each here, while RSS counts them whole in every worker."""
        return cls._proc_mb(f"/proc/{pid}/smaps_rollup", "Pss:")

    @classmethod
    def rss_mb(cls, pid: int) -> float:
        return cls._proc_mb(f"/proc/{pid}/status", "VmRSS:")

    def _loop(self) -> None:
        while not self._stop.wait(0.25):
            for pid in self.workers():
                rss = self.rss_mb(pid)
                self.last[pid] = rss
                self.peak[pid] = max(self.peak.get(pid, 0.0), rss)

    def window(self) -> None:
        self.peak = {}

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[tuple[str, MemoryWatch]]:
    port = _free_port()
    # --preload: the app is imported once and the workers share its pages (as deployed).
    command = [str(BIN / "gunicorn"), "--preload", "-w", str(WORKERS), "-k", "sync",
               "-b", f"127.0.0.1:{port}", "--error-logfile", str(log), "--timeout", "120",
               "wsgi:app"]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        time.sleep(1)  # every worker booted
        watch = MemoryWatch(process.pid)
        yield url, watch
        watch.stop()
    finally:
        process.terminate()
        process.wait(timeout=30)


def locust(
    user_class: str, url: str, users: int, rate: float, seconds: int, spawn: float, env: dict
) -> dict[str, dict]:
    """One headless locust run; its stats rows by request name (and "Aggregated")."""
    prefix = WORK / f"locust-{user_class}-{int(time.time() * 1000)}"
    command = [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
               "-u", str(users), "-r", str(spawn), "-t", f"{seconds}s", "--host", url,
               "--csv", str(prefix), "--only-summary", "--exit-code-on-error", "0",
               "--loglevel", "WARNING", user_class]  # fmt: skip
    run_env = {**env, "BENCH_RATE": str(rate)}
    subprocess.run(command, env=run_env, cwd=ROOT, check=True, capture_output=True)
    rows = {}
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = row
    return rows


def _stats(row: dict) -> dict:
    def number(key: str) -> float:
        value = row.get(key) or "0"
        return float(value) if value != "N/A" else 0.0

    return {
        "requests": int(number("Request Count")),
        "failures": int(number("Failure Count")),
        "rps": round(number("Requests/s"), 1),
        "p50_ms": number("50%"),
        "p95_ms": number("95%"),
        "p99_ms": number("99%"),
    }


def _log_errors(log: Path, since: int) -> dict[str, int]:
    text = log.read_text(errors="replace")[since:] if log.exists() else ""
    return {
        "database_is_locked": text.count("database is locked"),
        "tracebacks": text.count("Traceback"),
    }


def load_scenario(name: str, url: str, env: dict, watch: MemoryWatch, log: Path, args) -> dict:
    user_class, per_task = LOAD_SCENARIOS[name]
    since = log.stat().st_size if log.exists() else 0
    watch.window()
    load_average = os.getloadavg()[0]  # other work on a shared machine shows here
    cpu_before = watch.cpu_seconds()
    saturation = locust(user_class, url, args.users, 0, args.seconds, args.users, env)
    cpu = watch.cpu_seconds() - cpu_before
    rps = _stats(saturation["Aggregated"])["rps"]
    served = _stats(saturation["Aggregated"])["requests"]
    # Half the saturated rate, as random arrivals from HALF_RATE_USERS: latency with headroom.
    rate = rps / 2 / HALF_RATE_USERS / per_task
    half = locust(user_class, url, HALF_RATE_USERS, rate, args.seconds, HALF_RATE_USERS, env)
    result = {
        "saturation": {key: _stats(row) for key, row in saturation.items()},
        "half_rate": {key: _stats(row) for key, row in half.items()},
        "rps_at_saturation": rps,
        "half_rate_target_rps": round(rps / 2, 1),
        "errors": sum(_stats(row)["failures"] for row in (saturation["Aggregated"],
                                                          half["Aggregated"])),
        "server_log": _log_errors(log, since),
        "peak_worker_rss_mb": round(max(watch.peak.values(), default=0.0), 1),
        # The workers' CPU time over the saturated run, per request: what a request costs,
        # whatever else the machine was doing (latency is not).
        "cpu_ms_per_request": round(1000 * cpu / served, 2) if served else None,
        "load_average": round(load_average, 2),
    }  # fmt: skip
    return result


def mixed_load(url: str, env: dict, watch: MemoryWatch, log: Path, args) -> dict:
    since = log.stat().st_size if log.exists() else 0
    watch.window()
    rows = locust("S7User", url, args.s7_users, 0, args.s7_seconds, args.s7_users / 20, env)
    time.sleep(2)
    return {
        "users": args.s7_users,
        "seconds": args.s7_seconds,
        "results": {key: _stats(row) for key, row in rows.items()},
        "errors": _stats(rows["Aggregated"])["failures"],
        "server_log": _log_errors(log, since),
        "peak_worker_rss_mb": round(max(watch.peak.values(), default=0.0), 1),
        # M1: what each worker holds once the mixed load has run for a while.
        "steady_worker_rss_mb": sorted(round(value, 1) for value in watch.last.values()),
        "steady_worker_pss_mb": sorted(round(watch.pss_mb(pid), 1) for pid in watch.last),
    }


def app_env(url: str, folder: Path) -> dict[str, str]:
    """The environment of the benchmarked server: the production configuration, as deployed
    (it refuses to start without a public address and a key-encryption key)."""
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": SECRET, "FLASK_APP": "wsgi.py",
            "SOKROG_CONFIG": "production", "PUBLIC_BASE_URL": "https://bench.2sokrog.invalid",
            "SIGNING_KEY_ENCRYPTION_KEY": KEK, "STORAGE_DIR": str(folder / "storage"),
            "BENCH_USERS": str(folder / "users.json"), "PYTHONPATH": str(ROOT)}  # fmt: skip


def run_database(kind: str, url: str, args) -> dict:
    folder = WORK / kind
    if not args.reuse:
        shutil.rmtree(folder / "storage", ignore_errors=True)
    env = app_env(url, folder)
    kept = folder / "generated.json"
    _run([str(BIN / "flask"), "db", "upgrade"], env)
    if args.reuse:
        # Scale L takes an hour to generate: measure the code of today on the data of an
        # earlier run, brought to today's schema by the upgrade above.
        generated = json.loads(kept.read_text(encoding="utf-8"))
        if generated.get("scale") != args.scale:
            raise SystemExit(f"{kept} holds scale {generated.get('scale')}, not {args.scale}")
        print(f"[{kind}] reusing scale {args.scale} generated earlier; probing", flush=True)
    else:
        print(f"[{kind}] generating scale {args.scale}", flush=True)
        generated = _last_json(
            _run([sys.executable, "-m", "bench.generate", "--scale", args.scale,
                  "--workdir", str(folder)], env)
        )  # fmt: skip
        kept.write_text(json.dumps({**generated, "scale": args.scale}), encoding="utf-8")
        print(f"[{kind}] generated in {generated['seconds']} s; probing", flush=True)
    if args.generate_only:
        return {"generated": generated}
    probes = json.loads(
        _run([sys.executable, "-m", "bench.prepare", "--users", str(folder / "users.json")], env)
    )
    result: dict = {"generated": generated, "queries": probes, "load": {}}
    log = folder / "gunicorn.log"
    log.unlink(missing_ok=True)
    with gunicorn(env, log) as (server, watch):
        for name in LOAD_SCENARIOS:
            if name in args.skip:
                continue
            print(f"[{kind}] {name}", flush=True)
            result["load"][name] = load_scenario(name, server, env, watch, log, args)
        if "S7" not in args.skip:
            print(f"[{kind}] S7 ({args.s7_users} learners)", flush=True)
            result["load"]["S7"] = mixed_load(server, env, watch, log, args)
    if "S4b" not in args.skip:
        print(f"[{kind}] S4b", flush=True)
        result["S4b"] = _last_json(
            _run([sys.executable, "-m", "bench.offline", "s4b", "--workdir", str(folder)], env)
        )
    return result


def _stop(signum, _frame) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["M", "S", "L"], default="M")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=20, help="per locust run")
    parser.add_argument("--users", type=int, default=8, help="concurrent locust users")
    parser.add_argument("--s7-users", type=int, default=500)
    parser.add_argument("--s7-seconds", type=int, default=90)
    parser.add_argument("--pdf-batch", type=int, default=5000, help="S5 batch size")
    parser.add_argument("--skip", default="", help="scenarios to leave out, e.g. S7,S6")
    parser.add_argument("--out", type=Path, default=ROOT / "bench")
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="generate the data and stop (for a later --reuse)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the SQLite data an earlier run left in bench/.work",
    )
    args = parser.parse_args()
    if args.reuse and "postgresql" in args.databases:
        parser.error("--reuse keeps SQLite data only: a PostgreSQL cluster goes with its run")
    args.skip = {name.strip() for name in args.skip.split(",") if name.strip()}
    # Stopped (kill, or Ctrl+C from a shell that ignores it in background jobs): still stop
    # gunicorn and the PostgreSQL cluster on the way out.
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    report: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "scale": args.scale,
        "settings": {"workers": WORKERS, "worker_class": "sync", "locust_users": args.users,
                     "seconds_per_run": args.seconds},
        "databases": {},
    }  # fmt: skip
    for kind in [name.strip() for name in args.databases.split(",") if name.strip()]:
        if kind == "postgresql" and _pg_bin() is None:
            report["databases"][kind] = {"skipped": "PostgreSQL binaries not found"}
            continue
        database = postgres() if kind == "postgresql" else sqlite(WORK / kind, args.reuse)
        with database as url:
            report["databases"][kind] = run_database(kind, url, args)
        # What is measured so far, in case a later part fails or is stopped.
        (WORK / "partial-report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.generate_only:
        return 0
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if "S5" not in args.skip:
        print("S5 certificate PDFs", flush=True)
        report["S5"] = _last_json(
            _run([sys.executable, "bench/certificate_pdf.py", "--count", "200",
                  "--batch", str(args.pdf_batch)], env)
        )  # fmt: skip
    if "S6" not in args.skip:
        print("S6 courses sync", flush=True)
        report["S6"] = _last_json(
            _run([sys.executable, "-m", "bench.offline", "s6", "--workdir", str(WORK / "s6")], env)
        )
    report["seconds"] = round(time.perf_counter() - started)
    from bench.report import write_report

    write_report(report, args.out)
    print(f"Report: {args.out / 'REPORT.md'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
