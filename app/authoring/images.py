"""Images uploaded with a lesson: checked to be what they claim, and of a sane size."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import PurePosixPath

from flask_babel import gettext
from PIL import Image, UnidentifiedImageError

from app.authoring.drafts import DraftError, WorkingCopy, store
from app.courses.revisions import (
    store_blob,
)
from app.courses.sources import MAX_ASSET_BYTES

# What Pillow recognises -> the file name suffix the course folder uses for it.
IMAGE_FORMATS = {"PNG": ".png", "JPEG": ".jpg", "GIF": ".gif", "WEBP": ".webp"}


MAX_IMAGE_BYTES = MAX_ASSET_BYTES


# A lesson image this large is a photo straight from a camera at most; beyond it, an image that
# decompresses to gigabytes of memory (a "decompression bomb") is refused before it is read.
MAX_IMAGE_PIXELS = 24_000_000


def _too_many_pixels() -> str:
    return gettext(
        "The image has too many pixels: at most %(count)d megapixels, for example 6000 x 4000.",
        count=MAX_IMAGE_PIXELS // 1_000_000,
    )


def add_image(copy: WorkingCopy, filename: str, data: bytes, alt: str, user_id: int) -> str:
    """Store an uploaded image with the course; return the Markdown that shows it."""
    alt = " ".join(alt.split())
    if not alt:
        raise DraftError(gettext("Describe the image for people who cannot see it."))
    suffix = check_image(data)
    stem = re.sub(r"[^a-z0-9]+", "-", PurePosixPath(filename).stem.lower()).strip("-") or "image"
    digest = store_blob(data)
    path = f"images/{stem}{suffix}"
    number = 2
    while path in copy.assets and copy.assets[path] != digest:
        path = f"images/{stem}-{number}{suffix}"
        number += 1
    store(copy, user_id, copy.files, {**copy.assets, path: digest})
    return f"![{alt.replace(']', ')')}]({path})"


def check_image(data: bytes) -> str:
    """Refuse what is not a PNG, JPEG, GIF or WebP image of a sane size (a DraftError says
    why); return the file name suffix for the kind of image it is."""
    if len(data) > MAX_IMAGE_BYTES:
        raise DraftError(
            gettext("The image is larger than %(size)d MB.", size=MAX_IMAGE_BYTES // 2**20)
        )
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: refuse those images too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format
                width, height = image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise DraftError(_too_many_pixels()) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise DraftError(gettext("This file is not a PNG, JPEG, GIF or WebP image.")) from error
    if width * height > MAX_IMAGE_PIXELS:
        raise DraftError(_too_many_pixels())
    if kind not in IMAGE_FORMATS:
        raise DraftError(gettext("This file is not a PNG, JPEG, GIF or WebP image."))
    return IMAGE_FORMATS[kind]
