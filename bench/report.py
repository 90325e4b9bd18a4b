"""The benchmark report: targets of issue 8 checked against a run, as JSON and a Markdown table.

python -m bench.report bench/report.json   # write REPORT.md again from a saved run
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def _row(load: dict, phase: str, name: str) -> dict:
    return load.get(phase, {}).get(name, {})


def _check(label: str, value: float | None, limit: float, *, at_least: bool = False) -> dict:
    met = None if value is None else (value >= limit if at_least else value <= limit)
    sign = ">=" if at_least else "<="
    return {"check": f"{label} {sign} {limit:g}", "value": value, "met": met}


def evaluate(database: dict) -> dict[str, list[dict]]:
    """Per scenario, each target of issue 8 with the measured value and whether it is met."""
    load = database.get("load", {})
    queries = database.get("queries", {})
    h0 = load.get("H0", {}).get("rps_at_saturation") or None

    def ratio(name: str) -> float | None:
        rps = load.get(name, {}).get("rps_at_saturation")
        return round(rps / h0, 3) if rps is not None and h0 else None

    def p(name: str, request: str, key: str) -> float | None:
        row = _row(load.get(name, {}), "half_rate", request)
        return row.get(key) if row else None

    checks: dict[str, list[dict]] = {}
    if "S1" in load:
        p99 = max(p("S1", "S1 catalogue anonymous", "p99_ms") or 0,
                  p("S1", "S1 catalogue logged in", "p99_ms") or 0)  # fmt: skip
        checks["S1"] = [_check("throughput / H0", ratio("S1"), 0.40, at_least=True),
                        _check("p99 ms", p99, 25)]  # fmt: skip
    if "S2" in load:
        checks["S2"] = [
            _check("throughput / H0", ratio("S2"), 0.25, at_least=True),
            _check("p50 ms", p("S2", "S2 lesson", "p50_ms"), 8),
            _check("p99 ms", p("S2", "S2 lesson", "p99_ms"), 40),
        ]
    if "S3" in load:
        p99 = max(p("S3", "S3 autosave", "p99_ms") or 0, p("S3", "S3 submit", "p99_ms") or 0)
        locked = load["S3"]["server_log"]["database_is_locked"]
        checks["S3"] = [
            _check("throughput / H0", ratio("S3"), 0.10, at_least=True),
            _check("p99 ms (autosave, submit)", p99, 80),
            _check("'database is locked' errors", locked, 0),
        ]
    if "S4" in load:
        matrix = queries.get("S4 matrix", {})
        checks["S4"] = [
            _check("p50 ms", p("S4", "S4 matrix", "p50_ms"), 80),
            {"check": "constant query count", "value": matrix.get("queries_per_request"),
             "met": bool(matrix.get("queries_constant"))
             and matrix.get("queries_per_request", 99) <= matrix.get("budget", 0)},
        ]  # fmt: skip
    if "S8" in load:
        checks["S8"] = [
            _check("quiz statistics p50 ms", p("S8", "S8 quiz statistics", "p50_ms"), 300),
            _check("attempts page p50 ms", p("S8", "S8 attempts", "p50_ms"), 150),
            _check("HR certificates page p50 ms", p("S8", "S8 certificates", "p50_ms"), 150),
            _check("summary p50 ms", p("S8", "S8 summary", "p50_ms"), 500),
        ]
    # Issue 20: at most 250 MB resident per worker under any scenario.
    for name, result in load.items():
        if "peak_worker_rss_mb" in result:
            checks.setdefault(name, []).append(
                _check("peak RSS MB per worker", result["peak_worker_rss_mb"], 250)
            )
    if "S4b" in database:
        checks["S4b"] = [
            _check("seconds", database["S4b"]["seconds"], 3),
            _check("memory growth MB", database["S4b"]["memory_growth_mb"], 100),
        ]
    if "S7" in load:
        checks["S7"] = [_check("p99 ms", _row(load["S7"], "results", "Aggregated")["p99_ms"], 200)]
        steady = max(load["S7"]["steady_worker_rss_mb"], default=None)
        checks["M1"] = [_check("resident MB per worker (steady)", steady, 120)]
    return checks


def evaluate_offline(report: dict) -> dict[str, list[dict]]:
    checks: dict[str, list[dict]] = {}
    if "S5" in report:
        s5 = report["S5"]
        checks["S5"] = [_check("ms per PDF (p50)", s5["ms_p50"], 30)]
        if s5.get("batch_seconds") is not None:
            checks["S5"].append(
                _check(f"seconds for a batch of {s5['batch']}", s5["batch_seconds"], 180)
            )
    if "S6" in report:
        runs = report["S6"]["runs"]
        checks["S6"] = [
            _check(f"seconds for {runs[-1]['lessons']} lessons", runs[-1]["seconds"], 15),
            _check("time per lesson, largest / smallest folder", report["S6"]["per_lesson_ratio"],
                   1.2),
        ]  # fmt: skip
    return checks


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _verdict(checks: list[dict]) -> str:
    return "; ".join(
        f"{'met' if row['met'] else 'MISSED' if row['met'] is False else '?'}: "
        f"{row['check']} ({_fmt(row['value'])})"
        for row in checks
    )


def markdown(report: dict) -> str:
    lines = [
        "# Benchmark report",
        "",
        f"Run {report['started_at']}, scale {report['scale']}, {report['machine']['cpus']} CPUs, "
        f"Python {report['machine']['python']}; gunicorn {report['settings']['workers']} "
        f"{report['settings']['worker_class']} workers; locust headless on the same machine, "
        f"{report['settings']['locust_users']} users, {report['settings']['seconds_per_run']} s "
        f"per run; the whole run took {report.get('seconds', 0)} s. Latencies are measured at "
        "half the saturated rate; queries per request in process on the same data.",
        "",
        "Why targets are missed and what was fixed: [ANALYSIS.md](ANALYSIS.md).",
        "",
    ]
    for kind, database in report["databases"].items():
        lines += [f"## {kind}", ""]
        if "skipped" in database:
            lines += [f"Skipped: {database['skipped']}", ""]
            continue
        generated = database["generated"]
        lines += [
            f"Data: {generated['institutions']} institutions, {generated['employees']} employees, "
            f"{generated['competences']} competences, {generated['courses']} courses, "
            f"{generated['lessons']} lessons, {generated['questions']} questions, "
            f"{generated['attempts']} attempts, {generated['evidence']} evidence records, "
            f"{generated['certificates']} certificates (generated in {generated['seconds']} s).",
            "",
            "| scenario | request | req/s at saturation | / H0 | p50 ms | p95 ms | p99 ms | "
            "errors | SQL/request | peak RSS/worker MB | CPU ms/request |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        load = database["load"]
        loads: list[str] = []
        h0 = load.get("H0", {}).get("rps_at_saturation")
        queries = database["queries"]
        for name, result in load.items():
            if name == "S7":
                continue
            if "load_average" in result:
                loads.append(f"{name} {result['load_average']:g}")
            ratio = round(result["rps_at_saturation"] / h0, 3) if h0 else None
            for request, row in result["half_rate"].items():
                if request == "Aggregated":
                    continue
                sat = result["saturation"].get(request, {})
                errors = row["failures"] + sat.get("failures", 0)
                lines.append(
                    f"| {name} | {request} | {_fmt(sat.get('rps'))} | "
                    f"{_fmt(ratio) if request.startswith(name) else ''} | {_fmt(row['p50_ms'])} | "
                    f"{_fmt(row['p95_ms'])} | {_fmt(row['p99_ms'])} | {errors} | "
                    f"{_fmt(queries.get(request, {}).get('queries_per_request'))} | "
                    f"{_fmt(result['peak_worker_rss_mb'])} | |"
                )
            lines.append(
                f"| {name} | all requests | **{_fmt(result['rps_at_saturation'])}** | "
                f"**{_fmt(ratio)}** | | | | {result['errors']} | | | "
                f"{_fmt(result.get('cpu_ms_per_request'))} |"
            )
        if "S7" in load:
            s7 = load["S7"]
            for request, row in s7["results"].items():
                lines.append(
                    f"| S7 | {request} | {_fmt(row['rps'])} (offered) | | {_fmt(row['p50_ms'])} | "
                    f"{_fmt(row['p95_ms'])} | {_fmt(row['p99_ms'])} | {row['failures']} | "
                    f"{_fmt(queries.get(request, {}).get('queries_per_request'))} | "
                    f"{_fmt(s7['peak_worker_rss_mb'])} |"
                )
        if loads:
            lines += [
                "",
                "Machine load average (1 min) as each scenario began: " + ", ".join(loads),
            ]
        if "S4b" in database:
            s4b = database["S4b"]
            lines += [
                "",
                f"S4b: XLSX of {s4b['employees']} employees x {s4b['competences']} competences "
                f"in {s4b['seconds']} s, memory {s4b['rss_before_mb']} -> {s4b['peak_rss_mb']} MB "
                f"(+{s4b['memory_growth_mb']} MB), {s4b['bytes']} bytes.",
            ]
        if "S7" in load:
            lines.append(
                f"S7/M1: {load['S7']['users']} learners for {load['S7']['seconds']} s; worker "
                f"memory after it: {', '.join(map(_fmt, load['S7']['steady_worker_rss_mb']))} MB"
                " resident"
                + (
                    f", {', '.join(map(_fmt, load['S7']['steady_worker_pss_mb']))} MB "
                    "proportional (PSS: the pages they share counted once between them)."
                    if load["S7"].get("steady_worker_pss_mb")
                    else "."
                )
            )
        lines += ["", "### Targets", "", "| id | result |", "|---|---|"]
        for name, checks in evaluate(database).items():
            lines.append(f"| {name} | {_verdict(checks)} |")
        lines.append("")
    offline = evaluate_offline(report)
    if offline:
        lines += ["## In process (database-independent)", "", "| id | result |", "|---|---|"]
        lines += [f"| {name} | {_verdict(checks)} |" for name, checks in offline.items()]
        if "S5" in report:
            s5 = report["S5"]
            lines += [
                "",
                f"S5: {s5['count']} PDFs timed one by one: p50 {s5['ms_p50']} ms, p95 "
                f"{s5['ms_p95']} ms, mean {s5['ms_mean']} ms.",
            ]
        if "S6" in report:
            runs = ", ".join(f"{row['lessons']} lessons {row['seconds']} s"
                             for row in report["S6"]["runs"])  # fmt: skip
            lines.append(f"S6: `flask courses sync` into a fresh SQLite database: {runs}.")
        lines.append("")
    return "\n".join(lines)


def write_report(report: dict, out: Path) -> None:
    report["targets"] = {
        **{kind: evaluate(db) for kind, db in report["databases"].items() if "skipped" not in db},
        "in_process": evaluate_offline(report),
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    (out / "REPORT.md").write_text(markdown(report), encoding="utf-8")


def main() -> int:
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/report.json")
    write_report(json.loads(source.read_text(encoding="utf-8")), source.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
