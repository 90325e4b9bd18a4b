"""The sl, hr and en catalogues are complete, with no fuzzy entries and the right plural forms."""

from __future__ import annotations

from babel.messages.pofile import read_po

from app.core.translations import TEMPLATE, extract, problems


def test_the_template_is_up_to_date(tmp_path):
    fresh = tmp_path / "messages.pot"
    extract(fresh)
    with fresh.open("rb") as new, TEMPLATE.open("rb") as old:
        assert {m.id for m in read_po(new) if m.id} == {m.id for m in read_po(old) if m.id}, (
            "UI strings changed: run `make extract-messages` and translate"
        )


def test_every_catalogue_is_complete():
    assert problems() == []


def test_plural_forms_follow_each_language(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context():
        expected = {
            "sl": {1: "1 tečaj", 2: "2 tečaja", 3: "3 tečaji", 5: "5 tečajev", 101: "101 tečaj"},
            "hr": {1: "1 tečaj", 2: "2 tečaja", 5: "5 tečajeva", 11: "11 tečajeva", 21: "21 tečaj"},
            "en": {1: "1 course", 2: "2 courses"},
        }
        for language, cases in expected.items():
            with force_locale(language):
                for number, text in cases.items():
                    assert ngettext("%(num)d course", "%(num)d courses", number) == text
