"""Interface language selection and the content-language fallback rule."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_decimal, format_percent, get_locale, get_translations
from flask_login import current_user

from app.extensions import babel

LANGUAGES = ("sl", "hr", "en")
# Shown in the switcher in the language's own name, so anyone can find theirs.
LANGUAGE_NAMES = {"sl": "Slovenščina", "hr": "Hrvatski", "en": "English"}
# The other regional language is understood better than English by most learners.
NEIGHBOUR = {"sl": "hr", "hr": "sl"}


def content_language_order(language: str) -> list[str]:
    """The languages to try for content: the reader's, the neighbour's, English, then any."""
    order = [language]
    if language in NEIGHBOUR:
        order.append(NEIGHBOUR[language])
    order.append("en")
    order.extend(lang for lang in LANGUAGES if lang not in order)
    return list(dict.fromkeys(order))


def pick_language(available: set[str] | list[str], language: str) -> str | None:
    """The best of the available content languages for a reader of `language`."""
    for candidate in content_language_order(language):
        if candidate in available:
            return candidate
    return None


def pick_text(texts: dict[str, str], language: str) -> str:
    """From a {language: text} map, the text in the best available language for the reader."""
    chosen = pick_language(set(texts), language)
    return texts[chosen] if chosen else ""


def _default_locale() -> str:
    # The configuration is a dict of Any; this key always holds a language code (config.py).
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def select_locale() -> str:
    if not has_request_context():  # CLI and services: the platform's default language
        return _default_locale()
    # An explicit ?lang= wins: a public page such as /verify/<code> is shared in any language.
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    if current_user.is_authenticated:
        # Flask-Login's proxy is Any to mypy; behind it is a User, whose language is a str.
        language: str = current_user.language
        if language in LANGUAGES:
            return language
    chosen: str | None = session.get("language")
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or _default_locale()


def current_language() -> str:
    return str(get_locale() or "sl")


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"],
    )

    # Globals rather than a context processor, so imported macros see them too.
    app.jinja_env.globals.update(
        LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, current_language=current_language
    )

    @app.before_request
    def _wtforms_in_our_language() -> None:
        # Flask-WTF looks for WTForms' own catalogue (none in sl or hr) unless the request
        # already holds one: ours, which has WTForms' messages (app/core/wtforms_messages.py).
        request.wtforms_translations = get_translations()  # type: ignore[attr-defined]

    # Numbers as each language writes them (1.234,5 in sl and hr; 1,234.5 in en).
    app.jinja_env.filters.update(format_number=format_decimal, format_percent=format_percent)
