"""`flask users sync`: loads from an HR system (docs/hr-sync.md) create, update and deactivate
accounts and units, idempotently, with a report; a file with errors changes nothing."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from app.auth.models import Unit, User
from app.core import events
from app.extensions import db
from tests.conftest import login

UNITS = [
    {"code": "CSD", "name": "Center za socialno delo Laško", "parent": None},
    {"code": "SOC", "name": "Socialna služba", "parent": "CSD"},
    {"code": "FAM", "name": "Služba za družino", "parent": "SOC"},
]
PEOPLE = [
    {"email": "Vodja@csd-lasko.si", "name": "Vesna Vodja", "unit": "CSD", "job_role": "",
     "manager_email": "", "active": True},
    {"email": "ana@csd-lasko.si", "name": "Ana Novak", "unit": "SOC",
     "job_role": "social-worker-csd", "manager_email": "vodja@csd-lasko.si", "active": True},
    {"email": "bor@csd-lasko.si", "name": "Bor Kos", "unit": "FAM",
     "job_role": "social-worker-csd", "manager_email": "ana@csd-lasko.si"},
]  # fmt: skip


def _write(tmp_path, data, name="hr.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def _sync(runner, path, *options, institution="csd-lasko"):
    return runner.invoke(args=["users", "sync", path, "--institution", institution, *options])


def _people(app) -> dict[str, tuple]:
    with app.app_context():
        return {
            user.email: (
                user.full_name,
                user.unit.code if user.unit else None,
                user.job_role.code if user.job_role else None,
                user.manager.email if user.manager else None,
                user.is_active,
            )
            for user in db.session.scalars(select(User))
        }


def _units(app) -> dict[str, tuple]:
    with app.app_context():
        units = list(db.session.scalars(select(Unit)))
        by_id = {unit.id: unit.code for unit in units}
        return {unit.code: (unit.name, by_id.get(unit.parent_id)) for unit in units}


def test_a_load_creates_units_and_people_and_a_second_load_changes_nothing(
    app, runner, courses, tmp_path
):
    path = _write(tmp_path, {"units": UNITS, "people": PEOPLE})
    result = _sync(runner, path)
    assert result.exit_code == 0, result.output
    assert "created: 3 (vodja@csd-lasko.si, ana@csd-lasko.si, bor@csd-lasko.si)" in result.output
    assert "units created: 3" in result.output
    assert "errors: 0" in result.output
    assert _units(app) == {
        "CSD": ("Center za socialno delo Laško", None),
        "SOC": ("Socialna služba", "CSD"),
        "FAM": ("Služba za družino", "SOC"),
    }
    assert _people(app) == {
        "vodja@csd-lasko.si": ("Vesna Vodja", "CSD", None, None, True),
        "ana@csd-lasko.si": ("Ana Novak", "SOC", "social-worker-csd", "vodja@csd-lasko.si", True),
        "bor@csd-lasko.si": ("Bor Kos", "FAM", "social-worker-csd", "ana@csd-lasko.si", True),
    }
    with app.app_context():
        ana = db.session.scalar(select(User).where(User.email == "ana@csd-lasko.si"))
        # No password and no role from a load: the person signs in through the institution
        # (or asks for a reset link); an administrator gives roles.
        assert ana.password_hash == ""
        assert ana.roles == {"learner"}
        assert ana.language == "sl"
        assert ana.institution.slug == "csd-lasko"
        assert ana.hr_synced_at is not None

    again = _sync(runner, path)
    assert again.exit_code == 0, again.output
    assert "created: 0\nupdated: 0\ndeactivated: 0" in again.output
    assert "Nothing changed." in again.output


def test_changes_people_who_leave_and_a_csv_file_with_units(
    app, runner, courses, tmp_path, make_user
):
    _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE}))
    outsider = make_user(email="trener@zunanji.si", full_name="Trener Od Zunaj")
    with app.app_context():
        bor = db.session.scalar(select(User).where(User.email == "bor@csd-lasko.si"))
        token_before = bor.session_token
    units = _write(tmp_path, "code,name,parent\nCSD,CSD Laško,\nSOC,Socialna služba,CSD\n"
                   "FAM,Služba za družino,CSD\n", "units.csv")  # fmt: skip
    people = _write(
        tmp_path,
        "email,name,unit,job_role,manager_email,active\n"
        "vodja@csd-lasko.si,Vesna Vodja,CSD,,,1\n"
        "ana@csd-lasko.si,Ana Novak Kos,SOC,social-worker-csd,vodja@csd-lasko.si,true\n"
        "nova@csd-lasko.si,Nova Oseba,FAM,,ana@csd-lasko.si,\n",
        "people.csv",
    )
    changed = []

    def receiver(_sender, **kwargs):
        changed.append(kwargs)

    events.users_synced.connect(receiver)
    try:
        result = _sync(runner, people, "--units", units)
    finally:
        events.users_synced.disconnect(receiver)
    assert result.exit_code == 0, result.output
    assert "created: 1 (nova@csd-lasko.si)" in result.output
    assert "updated: 1 (ana@csd-lasko.si)" in result.output
    assert "deactivated: 1 (bor@csd-lasko.si)" in result.output  # not in the file any more
    assert "units updated: 2 (CSD, FAM)" in result.output
    assert _units(app)["FAM"] == ("Služba za družino", "CSD")
    found = _people(app)
    assert found["ana@csd-lasko.si"][0] == "Ana Novak Kos"
    assert found["bor@csd-lasko.si"][4] is False
    assert found["trener@zunanji.si"][4] is True  # made by hand: no load deactivates it
    with app.app_context():
        assert db.session.get(User, outsider).hr_synced_at is None
        bor = db.session.scalar(select(User).where(User.email == "bor@csd-lasko.si"))
        assert bor.session_token != token_before  # logged out everywhere
    assert changed[0]["deactivated"] == ["bor@csd-lasko.si"]
    assert changed[0]["created"] == ["nova@csd-lasko.si"]

    # Listed again with active=0: still out; listed as active: back.
    rows = "email,name,unit,job_role,manager_email,active\nbor@csd-lasko.si,Bor Kos,FAM,,,0\n"
    _sync(runner, _write(tmp_path, rows, "bor.csv"))
    assert _people(app)["bor@csd-lasko.si"][4] is False
    back = _sync(runner, _write(tmp_path, rows.replace(",0\n", ",1\n"), "bor.csv"))
    assert "updated: 1 (bor@csd-lasko.si)" in back.output
    assert _people(app)["bor@csd-lasko.si"][4] is True


def test_errors_name_their_lines_and_nothing_is_changed(app, runner, courses, tmp_path, make_user):
    make_user(email="ivo@czss.hr", institution="czss-cakovec")
    make_user(email="stara@csd-lasko.si", full_name="Stara Oseba")
    people = _write(
        tmp_path,
        "email,name,unit,job_role,manager_email,active\n"
        "stara@csd-lasko.si,Nova Ime,SOC,,,\n"
        "not-an-address,X,,,,\n"
        "ana@csd-lasko.si,Ana,NOPE,,,\n"
        "ana@csd-lasko.si,Ana,,,,\n"
        "bor@csd-lasko.si,Bor,,chief,,\n"
        'cene@csd-lasko.si,"Cene,\nz dvema vrsticama",,,nobody@csd-lasko.si,\n'
        "ivo@czss.hr,Ivo,,,,\n"
        "eva@csd-lasko.si,Eva,,,,maybe\n",
        "people.csv",
    )
    units = _write(tmp_path, "code,name,parent\nSOC,Socialna služba,MISSING\n", "units.csv")
    result = _sync(runner, people, "--units", units)
    assert result.exit_code == 1
    for error in (
        "units.csv line 2: no unit MISSING (the parent)",
        "people.csv line 3: not-an-address is not an e-mail address",
        "people.csv line 4: no unit NOPE",
        "people.csv line 5: ana@csd-lasko.si is listed twice",
        "people.csv line 6: no job role chief in the competence framework",
        "people.csv line 7: no manager nobody@csd-lasko.si at the institution",
        "people.csv line 9: ivo@czss.hr has an account at another institution",
        "people.csv line 10: active must be true or false, not 'maybe'",
    ):
        assert error in result.output
    assert "Nothing was changed" in result.output
    assert _units(app) == {}
    assert set(_people(app)) == {"ivo@czss.hr", "stara@csd-lasko.si"}
    assert _people(app)["stara@csd-lasko.si"][0] == "Stara Oseba"


def test_a_dry_run_reports_and_changes_nothing(app, runner, courses, tmp_path):
    result = _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE}), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "created: 3" in result.output
    assert "Dry run: nothing was changed." in result.output
    assert _people(app) == {}
    assert _units(app) == {}


def test_files_that_cannot_be_used_are_refused(app, runner, courses, tmp_path):
    _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE}))
    empty = _sync(runner, _write(tmp_path, {"people": []}))
    assert empty.exit_code == 1
    assert "the file lists nobody" in empty.output
    assert all(person[4] for person in _people(app).values())
    broken = _sync(runner, _write(tmp_path, '{"people": [\n  {"email": "a@b.si",}\n]}'))
    assert "line 2: not JSON" in broken.output
    loop = [{"code": "A", "name": "A", "parent": "B"}, {"code": "B", "name": "B", "parent": "A"}]
    looped = _sync(runner, _write(tmp_path, {"units": loop, "people": PEOPLE[:1]}))
    assert "units[0]: unit A is its own ancestor" in looped.output
    header = _sync(runner, _write(tmp_path, "mail,name\nx@y.si,X\n", "p.csv"))
    assert "p.csv line 1: the header must be email,name,unit,job_role,manager_email,active" in (
        header.output
    )
    unknown = _sync(runner, _write(tmp_path, {"people": PEOPLE}), institution="nowhere")
    assert unknown.exit_code != 0
    assert "unknown institution 'nowhere'" in unknown.output
    latin2 = tmp_path / "latin2.csv"
    latin2.write_bytes("email,name\nc@csd-lasko.si,Čop\n".encode("iso-8859-2"))
    assert "not UTF-8" in _sync(runner, str(latin2)).output


def _rows(page: str) -> set[str]:
    """The people in the matrix's rows."""
    return set(re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', page))


def test_the_matrix_shows_a_unit_and_the_units_under_it(app, client, runner, courses, tmp_path,
                                                         make_user):  # fmt: skip
    from app.core.database import count_queries

    _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE}))
    with app.app_context():
        soc = db.session.scalar(select(Unit.id).where(Unit.code == "SOC"))
        fam = db.session.scalar(select(Unit.id).where(Unit.code == "FAM"))
    login(client, make_user(roles={"hr"}, full_name="Hana HR"))
    page = client.get("/hr/matrix").get_data(as_text=True)
    assert "Služba za družino (FAM)" in page
    assert _rows(page) == {"Vesna Vodja", "Ana Novak", "Bor Kos", "Hana HR"}
    assert _rows(client.get(f"/hr/matrix?unit={soc}").get_data(as_text=True)) == {
        "Ana Novak", "Bor Kos"  # FAM is under SOC
    }  # fmt: skip
    assert _rows(client.get(f"/hr/matrix?unit={fam}").get_data(as_text=True)) == {"Bor Kos"}
    # Sorted by gap, the unit's subtree is in the gaps' aggregate and the list alike.
    assert _rows(client.get(f"/hr/matrix?unit={soc}&sort=gap").get_data(as_text=True)) == {
        "Ana Novak", "Bor Kos"
    }  # fmt: skip
    csv = client.get(f"/hr/matrix.csv?unit={fam}").get_data(as_text=True)
    assert "bor@csd-lasko.si" in csv
    assert "ana@csd-lasko.si" not in csv
    with app.app_context(), count_queries() as few:
        client.get(f"/hr/matrix?unit={soc}")
    more = [
        {"email": f"p{n}@csd-lasko.si", "name": f"P {n}", "unit": "FAM", "manager_email": ""}
        for n in range(12)
    ]
    _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE + more}))
    with app.app_context(), count_queries() as many:
        page = client.get(f"/hr/matrix?unit={soc}").get_data(as_text=True)
    assert "P 11" in page
    assert few.count == many.count


def test_a_unit_of_another_institution_shows_nobody(app, client, runner, courses, tmp_path,
                                                     make_user):  # fmt: skip
    _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE}))
    with app.app_context():
        soc = db.session.scalar(select(Unit.id).where(Unit.code == "SOC"))
    login(client, make_user(roles={"hr"}, institution="czss-cakovec"))
    page = client.get(f"/hr/matrix?unit={soc}").get_data(as_text=True)
    assert _rows(page) == set()
    assert "Socialna služba" not in page  # not among czss-cakovec's units either


def test_the_matrix_command_exports_a_unit(app, runner, courses, tmp_path):
    _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE}))
    output = tmp_path / "soc.csv"
    result = runner.invoke(args=["reports", "matrix", "--institution", "csd-lasko",
                                 "--unit", "SOC", "--output", str(output)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2 employees")
    text = output.read_text(encoding="utf-8-sig")
    assert "bor@csd-lasko.si" in text
    assert "vodja@csd-lasko.si" not in text
    wrong = runner.invoke(args=["reports", "matrix", "--institution", "czss-cakovec",
                                "--unit", "SOC", "--output", str(output)])  # fmt: skip
    assert wrong.exit_code != 0
    assert "no unit 'SOC' at the institution" in wrong.output


def test_the_profile_shows_the_unit_and_manager(app, client, runner, courses, tmp_path):
    _sync(runner, _write(tmp_path, {"units": UNITS, "people": PEOPLE}))
    with app.app_context():
        ana = db.session.scalar(select(User.id).where(User.email == "ana@csd-lasko.si"))
    login(client, ana)
    page = client.get("/account").get_data(as_text=True)
    assert "<dd>Socialna služba</dd>" in page
    assert "<dd>Vesna Vodja</dd>" in page
