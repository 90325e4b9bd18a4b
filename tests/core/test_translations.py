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


def test_templates_follow_the_locale_forced_within_a_request(app):
    """The templates' strings are looked up once per request and locale: a certificate or
    an e-mail rendered in another language within a request gets that language, and the
    page around it its own."""
    from flask import render_template_string
    from flask_babel import force_locale

    source = "{{ _('Change language') }} | {{ ngettext('%(num)s answer', '%(num)s answers', 2) }}"
    with app.test_request_context(headers={"Accept-Language": "sl"}):
        assert render_template_string(source).startswith("Zamenjajte jezik")
        with force_locale("hr"):
            assert render_template_string(source).startswith("Promijenite jezik")
            with force_locale("en"):
                assert render_template_string(source) == "Change language | 2 answers"
        assert render_template_string(source).startswith("Zamenjajte jezik")
