"""The institution's emblem: uploaded by its administrators, checked, re-encoded, on the PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.auth.services import institution_by_slug
from app.certificates import emblem, stored
from app.certificates.models import Certificate, InstitutionEmblem
from app.core.storage import storage
from app.extensions import db
from tests.certificates.conftest import issue
from tests.certificates.pdfs import elements, open_pdf, png, png_claiming
from tests.conftest import csrf_token, login

ISSUER = "/issuers/czss-cakovec"  # beta's issuing institution


def upload(client, data: bytes, name: str = "logo.png"):
    return client.post(
        f"{ISSUER}/emblem",
        data={"csrf_token": csrf_token(client, ISSUER), "emblem": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def admin(app, client, make_user) -> int:
    user = make_user(roles={"admin"}, institution="czss-cakovec")
    login(client, user)
    return user


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (1200, 900), (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()


def _stored_image(client) -> Image.Image:
    response = client.get(f"{ISSUER}/emblem")
    assert response.status_code == 200
    return Image.open(io.BytesIO(response.data))


def test_an_administrator_uploads_a_png_and_certificates_show_it(
    app, client, courses, make_user, admin
):
    page = client.get(ISSUER).get_data(as_text=True)
    assert "Certificates show no emblem yet" in page
    response = upload(client, png(1600, 800))
    assert response.status_code == 302
    page = client.get(ISSUER).get_data(as_text=True)
    assert "The emblem is saved" in page
    assert 'alt="Emblem of Centar za socijalnu skrb Čakovec"' in page
    image = _stored_image(client)
    assert image.format == "PNG"
    assert image.mode == "RGB"  # transparency flattened onto white
    assert image.size == (400, 200)  # scaled down, the proportions kept
    assert image.getpixel((10, 10)) != (255, 255, 255)  # the colour survived on white

    certificate = issue(app, make_user(language="hr"))
    with app.app_context():
        data = stored.pdf_bytes(db.session.get(Certificate, certificate.id))
        uploaded_by = db.session.scalar(db.select(InstitutionEmblem.uploaded_by_id))
    assert uploaded_by == admin
    with open_pdf(data) as pdf:
        (xobject,) = pdf.pages[0].Resources.XObject.values()
        assert (int(xobject.Width), int(xobject.Height)) == (400, 200)
        alts = [str(e.Alt) for e in elements(pdf.Root.StructTreeRoot) if e.S == "/Figure"]
    assert "Grb ustanove Centar za socijalnu skrb Čakovec" in alts  # the learner's language


def test_a_jpeg_stays_a_jpeg_without_its_metadata(client, courses, admin):
    assert upload(client, _jpeg_with_exif(), "photo.jpeg").status_code == 302
    image = _stored_image(client)
    assert image.format == "JPEG"
    assert image.size == (400, 300)
    assert not image.getexif()  # camera, software and the like are not kept


def test_a_new_emblem_replaces_the_old_one_and_removal_removes_it(
    app, client, courses, make_user, admin
):
    upload(client, png(100, 100, color=(255, 0, 0, 255)))
    with app.app_context():
        red = emblem.emblem_key(institution_by_slug("czss-cakovec"))
    upload(client, png(100, 100, color=(0, 0, 255, 255)))
    assert _stored_image(client).getpixel((50, 50)) == (0, 0, 255)
    with app.app_context():
        blue = emblem.emblem_key(institution_by_slug("czss-cakovec"))
        assert blue != red
        assert not storage().exists(red)  # the replaced file is gone
    response = client.post(
        f"{ISSUER}/emblem/remove", data={"csrf_token": csrf_token(client, ISSUER)}
    )
    assert response.status_code == 302
    assert "The emblem is removed" in client.get(ISSUER).get_data(as_text=True)
    assert client.get(f"{ISSUER}/emblem").status_code == 404
    with app.app_context():
        assert not storage().exists(blue)
    certificate = issue(app, make_user())
    with app.app_context():
        data = stored.pdf_bytes(db.session.get(Certificate, certificate.id))
    with open_pdf(data) as pdf:
        assert "/XObject" not in pdf.pages[0].Resources


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\0" * (2 * 1024 * 1024 + 1), "huge.png", "The image is larger than 2 MB."),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "not a PNG or JPEG image"),
        (png(50, 50)[:60], "cut.png", "not a PNG or JPEG image"),  # truncated
        (png_claiming(20_000, 20_000), "bomb.png", "The image has too many pixels"),
        (png_claiming(5_000, 4_000), "big.png", "The image has too many pixels"),
        (b"GIF89a" + b"\0" * 40, "logo.png", "not a PNG or JPEG image"),
        (png(50, 50), "logo.gif", "Choose a PNG or JPEG image."),
        (b"", "logo.png", "not a PNG or JPEG image"),  # an empty file
        (b"", "", "Choose a PNG or JPEG image."),  # no file chosen
    ],
    ids=[
        "too-big",
        "svg",
        "truncated",
        "bomb",
        "too-many-pixels",
        "gif",
        "gif-name",
        "empty",
        "none",
    ],
)
def test_bad_uploads_are_refused_with_a_message(app, client, courses, admin, data, name, message):
    response = upload(client, data, name)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page.replace("&#39;", "'")
    assert 'aria-invalid="true"' in page  # the message stands by the field
    with app.app_context():
        assert emblem.emblem_key(institution_by_slug("czss-cakovec")) is None


def test_the_upload_message_is_in_the_users_language(app, client, make_user):
    user = make_user(roles={"admin"}, institution="czss-cakovec", language="hr")
    login(client, user)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "hr"
    response = upload(client, b"not an image")
    assert "Ova datoteka nije slika u formatu PNG ili JPEG." in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["other-admin", "hr", "trainer"])
def test_only_an_administrator_of_the_institution_may_change_it(app, client, make_user, who):
    if who == "other-admin":
        user = make_user(roles={"admin"}, institution="csd-lasko")
    else:
        user = make_user(roles={who}, institution="czss-cakovec")
    login(client, user)
    assert "Upload emblem" not in client.get(ISSUER).get_data(as_text=True)
    assert upload(client, png(100, 100)).status_code == 403
    remove = client.post(f"{ISSUER}/emblem/remove", data={"csrf_token": csrf_token(client)})
    assert remove.status_code == 403
    with app.app_context():
        assert emblem.emblem_key(institution_by_slug("czss-cakovec")) is None


def test_with_the_database_backend_no_certificate_file_touches_the_disk(
    app, client, courses, make_user, admin
):
    """Several app servers without a shared disk: emblem and PDFs live in the database."""
    from pathlib import Path

    from app.core import storage as module
    from app.core.storage import StoredFile

    app.config["STORAGE_BACKEND"] = "database"
    module.init_app(app)
    assert upload(client, png(120, 60)).status_code == 302
    assert _stored_image(client).size == (120, 60)
    certificate = issue(app, make_user())
    with app.app_context():
        record = db.session.get(Certificate, certificate.id)
        keys = set(db.session.scalars(db.select(StoredFile.key)))
        assert stored.storage_key(record) in keys
        assert emblem.emblem_key(institution_by_slug("czss-cakovec")) in keys
        with open_pdf(stored.pdf_bytes(record)) as pdf:
            assert "/XObject" in pdf.pages[0].Resources  # the emblem was drawn from the database
    root = Path(app.config["STORAGE_DIR"])
    assert not (root / "emblems").exists()
    assert not (root / "certificates").exists()
