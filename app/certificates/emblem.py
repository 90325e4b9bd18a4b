"""The issuing institution's emblem on its certificates: checked, re-encoded and stored."""

from __future__ import annotations

import hashlib
import io
import warnings

from flask_babel import gettext
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.auth.models import Institution
from app.certificates.models import InstitutionEmblem
from app.core.database import utcnow
from app.core.errors import DomainError
from app.core.storage import storage
from app.extensions import db

MAX_EMBLEM_BYTES = 2 * 1024 * 1024
# Far more than an emblem needs; beyond it a small file may unpack to gigabytes of pixels (a
# decompression bomb), so it is refused before its pixels are read.
MAX_EMBLEM_PIXELS = 16_000_000
# The stored emblem: at most this many pixels a side, enough for 16 mm of print at 600 dpi.
STORED_SIDE = 400
# What is accepted -> how it is stored (a photo stays a JPEG, a drawing a lossless PNG).
FORMATS = {"PNG": ("PNG", ".png"), "JPEG": ("JPEG", ".jpg")}


class EmblemError(DomainError):
    pass


def _key(institution: Institution, file_name: str) -> str:
    return f"emblems/{institution.id}/{file_name}"


def _record(institution: Institution) -> InstitutionEmblem | None:
    return db.session.scalar(
        select(InstitutionEmblem).where(InstitutionEmblem.institution_id == institution.id)
    )


def emblem_key(institution: Institution) -> str | None:
    """The storage key of the institution's emblem, or None (none uploaded, or its file is gone)."""
    record = _record(institution)
    if record is None:
        return None
    key = _key(institution, record.file_name)
    return key if storage().exists(key) else None


def emblem_bytes(institution: Institution) -> bytes | None:
    key = emblem_key(institution)
    return None if key is None else storage().read(key)


def _too_many_pixels() -> EmblemError:
    return EmblemError(
        gettext(
            "The image has too many pixels: at most %(count)d megapixels, for example 4000 x 4000.",
            count=MAX_EMBLEM_PIXELS // 1_000_000,
        )
    )


def _not_an_image() -> EmblemError:
    return EmblemError(gettext("This file is not a PNG or JPEG image."))


def _opaque_rgb(image: Image.Image) -> Image.Image:
    """The image on white, without transparency: PDF/A is simplest (and prints alike) so."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, "white")
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def reencode(data: bytes) -> tuple[bytes, str]:
    """The upload checked and drawn again (no metadata, no transparency, at most STORED_SIDE
    pixels a side); returns the new file and its suffix. Raises EmblemError."""
    if len(data) > MAX_EMBLEM_BYTES:
        raise EmblemError(
            gettext("The image is larger than %(size)d MB.", size=MAX_EMBLEM_BYTES // 2**20)
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: refuse those images too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in FORMATS:
                    raise _not_an_image()
                if image.width * image.height > MAX_EMBLEM_PIXELS:
                    raise _too_many_pixels()
                kind, suffix = FORMATS[image.format]
                image.load()  # a truncated or damaged file fails here, not later in a PDF
                picture = _opaque_rgb(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _not_an_image() from error
    picture.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if kind == "JPEG":
        picture.save(out, "JPEG", quality=90, optimize=True)
    else:
        picture.save(out, "PNG", optimize=True)
    return out.getvalue(), suffix


def set_emblem(institution: Institution, data: bytes, by_id: int | None) -> str | None:
    """Store the uploaded emblem and make it the institution's; returns the key of the file it
    replaces, for `discard` after the commit. A file is named by its content, so the one in use
    is never overwritten while a certificate is being drawn with it."""
    encoded, suffix = reencode(data)
    name = hashlib.sha256(encoded).hexdigest()[:32] + suffix
    storage().write(_key(institution, name), encoded)
    record = _record(institution)
    replaced = None if record is None else _key(institution, record.file_name)
    try:
        with db.session.begin_nested():
            if record is None:
                record = InstitutionEmblem(institution_id=institution.id)
                db.session.add(record)
            record.file_name, record.uploaded_at, record.uploaded_by_id = name, utcnow(), by_id
    except IntegrityError as error:
        raise EmblemError(
            gettext("Another emblem was uploaded at the same moment: upload yours again.")
        ) from error
    return None if replaced == _key(institution, name) else replaced


def remove_emblem(institution: Institution) -> str | None:
    """The institution prints no emblem from now on; returns the key of its file for `discard`
    after the commit, None if it had none."""
    record = _record(institution)
    if record is None:
        return None
    db.session.delete(record)
    db.session.flush()
    return _key(institution, record.file_name)


def discard(key: str | None) -> None:
    """Delete an emblem file no longer in use; called after the commit that replaced it, so a
    failed commit never leaves the institution's record pointing at a deleted file."""
    if key is not None:
        storage().delete(key)
        db.session.commit()
