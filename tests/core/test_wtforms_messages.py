"""WTForms' own messages come in the reader's language (WTForms has no sl or hr catalogue)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import wtforms
from babel.messages.pofile import read_po

from app.core import wtforms_messages
from tests.conftest import csrf_token


def _wtforms_msgids() -> set[str]:
    with open(Path(wtforms.__file__).parent / "locale" / "wtforms.pot", encoding="utf-8") as f:
        catalog = read_po(f)
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_every_listed_message_is_still_wtforms_own_text():
    """An upgrade of WTForms that rewords a message shows here, not as English on a page."""
    assert set(wtforms_messages.MESSAGES) <= _wtforms_msgids()


@pytest.mark.parametrize(
    ("language", "required", "email", "length"),
    [
        ("sl", "To polje je obvezno.", "Neveljaven e-poštni naslov.",
         "Polje mora imeti od 10 do 5000 znakov."),
        ("hr", "Ovo je polje obavezno.", "Nevaljana adresa e-pošte.",
         "Polje mora imati od 10 do 5000 znakova."),
    ],
)  # fmt: skip
def test_form_errors_are_in_the_readers_language(client, language, required, email, length):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    token = csrf_token(client, "/accessibility")
    html = client.post(
        "/accessibility", data={"csrf_token": token, "message": "short", "email": "bad"}
    ).get_data(as_text=True)
    errors = " ".join(re.findall(r'class="field-error"[^>]*>(.*?)</p>', html))
    assert length in errors
    assert email in errors
    assert "Field must" not in errors
    html = client.post("/accessibility", data={"csrf_token": token}).get_data(as_text=True)
    assert required in html
