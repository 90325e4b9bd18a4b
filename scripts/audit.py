"""Audit the installed dependencies for known vulnerabilities with pip-audit; exit 1 on any."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def main() -> int:
    result = subprocess.run(
        [sys.executable, "-m", "pip_audit", "--format", "json", "--progress-spinner", "off",
         "--skip-editable"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stderr.strip() or result.stdout.strip(), file=sys.stderr)
        return 2
    packages = report.get("dependencies", [])
    vulnerable = [package for package in packages if package.get("vulns")]
    skipped = [package for package in packages if package.get("skip_reason")]
    for package in vulnerable:
        for vuln in package["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"{package['name']} {package['version']}: {vuln['id']} (fixed in {fixed})")
    audited = len(packages) - len(skipped)
    print(f"pip-audit: {audited} of {len(packages)} packages audited, {len(vulnerable)} vulnerable")
    if skipped:
        # PyPI's per-release JSON (pip-audit's source) or OSV may be out of reach of the machine.
        print(f"pip-audit: {len(skipped)} could not be audited: {skipped[0]['skip_reason']}")
        if os.environ.get("AUDIT_STRICT") == "1":
            return 1
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
