"""S5: render certificate PDFs in process and report milliseconds per PDF (no database needed)."""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from app.certificates.pdf import CertificateContent, CompetenceLine, render_certificate
from app.certificates.pdfa import Attachment

LEVELS = {
    2: {"sl": "Uporabno znanje", "hr": "Primjenjivo znanje", "en": "Working knowledge"},
    1: {"sl": "Osnovno poznavanje", "hr": "Osnovno poznavanje", "en": "Awareness"},
}


COMPETENCES = [
    ("Individualno načrtovanje aktivacije", "Individualno planiranje aktivacije", 2),
    ("Motivacijski intervju", "Motivacijsko intervjuiranje", 2),
    ("Krepitev moči in skupinsko delo", "Osnaživanje i grupni rad", 1),
]


def content(number: int) -> CertificateContent:
    return CertificateContent(
        serial=f"CZSS-CAKOVEC-2026-{number:06d}",
        code=f"{number:016d}"[-16:].replace("0", "A"),
        verify_url=f"https://learn.2sokrog.eu/verify/{number:016d}",
        learner_name=f"Čedomir Đurđević Šuštar {number}",
        course_titles={
            "sl": "Model socialne aktivacije v praksi",
            "hr": "Model socijalne aktivacije u praksi",
        },
        workload_hours=8,
        competences=[
            CompetenceLine({"sl": sl, "hr": hr}, level, LEVELS[level])
            for sl, hr, level in COMPETENCES
        ],
        issued_on=date(2026, 11, 24),
        expires_on=None,
        institution_name="Centar za socijalnu skrb Čakovec",
        signatory_name="Demo Signatory",
        signatory_title="Director (demo)",
    )


# The PDF carries the signed credential (about 6 KB of JSON-LD) as an associated file.
CREDENTIAL = Attachment(
    name="credential.json",
    data=json.dumps({"credentialSubject": {"name": "x" * 6000}}).encode(),
    mime="application/ld+json",
    description="The signed Open Badges 3.0 credential of this certificate",
    modified_at=datetime(2026, 11, 24, tzinfo=UTC),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=200, help="PDFs to time one by one")
    parser.add_argument("--batch", type=int, default=0, help="then render this many in a row")
    args = parser.parse_args()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        render_certificate(content(0), ("sl", "hr"), CREDENTIAL)  # font registration happens once
        timings = []
        started = time.perf_counter()
        for number in range(1, args.count + 1):
            begin = time.perf_counter()
            render_certificate(content(number), ("sl", "hr"), CREDENTIAL)
            timings.append((time.perf_counter() - begin) * 1000)
        total = time.perf_counter() - started
        batch_seconds = None
        if args.batch:
            begin = time.perf_counter()
            for number in range(args.batch):
                render_certificate(content(100_000 + number), ("sl", "hr"), CREDENTIAL)
            batch_seconds = round(time.perf_counter() - begin, 1)
    report = {
        "scenario": "S5",
        "count": args.count,
        "ms_p50": round(statistics.median(timings), 2),
        "ms_p95": round(sorted(timings)[int(0.95 * len(timings)) - 1], 2),
        "ms_mean": round(statistics.fmean(timings), 2),
        "seconds_for_5000_extrapolated": round(total / args.count * 5000, 1),
        "batch": args.batch,
        "batch_seconds": batch_seconds,
        "target_ms": 30,
    }
    # One line: `make bench` reads the last line of the output.
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
