"""Interface language selection and the content-language fallback rule."""

from __future__ import annotations

from decimal import Decimal

from babel import numbers
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import format_decimal, format_percent, get_locale, get_translations
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app.extensions import babel

LANGUAGES = ("sl", "hr", "en")
# Shown in the switcher in the language's own name, so anyone can find theirs.
LANGUAGE_NAMES = {"sl": "Slovenščina", "hr": "Hrvatski", "en": "English"}
# A visitor's choice of language (a logged-in person's is on their account).
LANGUAGE_COOKIE = "language"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600
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
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or _default_locale()


def remember_language(response: BaseResponse, language: str) -> BaseResponse:
    """Keep a visitor's language in their browser (a cookie, so their pages need no session)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_SECONDS,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response


def percent(value: float | None, digits: int = 1) -> str:
    """A share on the 0-100 scale as the reader's language writes it: 12,5 % in sl and hr,
    12.5% in en; at most `digits` decimals, none shown when they are zeros."""
    if value is None:
        return ""
    # Decimal: 28.6 / 100 in floats is 0.28600000000000003, which Babel would print whole.
    share = Decimal(str(round(value, digits))) / 100
    return numbers.format_percent(share, locale=get_locale(), decimal_quantization=False)


def decimal(value: float | None, digits: int = 2) -> str:
    """A number such as a score, rounded to `digits` decimals: 3,5 in sl and hr, 3.5 in en."""
    if value is None:
        return ""
    rounded = Decimal(str(round(value, digits)))
    return numbers.format_decimal(rounded, locale=get_locale(), decimal_quantization=False)


def current_language() -> str:
    return str(get_locale() or "sl")


def _catalogue() -> NullTranslations:
    """The catalogue of the current locale, looked up once per request and locale.

    Flask-Babel resolves its domain, context and the locale's name on each call: a page's
    30 strings spent a tenth of a lesson page's time there. force_locale (certificates,
    e-mails) puts another locale object in place, which is looked up in its turn.
    """
    locale = get_locale()
    kept: tuple[object, NullTranslations] | None = g.get("_catalogue")
    if kept is None or kept[0] is not locale:
        kept = g._catalogue = (locale, get_translations())
    return kept[1]


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=app.config["BABEL_TRANSLATION_DIRECTORIES"],
    )

    # What Flask-Babel installs, through _catalogue (the templates' strings are most of them).
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda string: _catalogue().ugettext(string),
        ngettext=lambda singular, plural, n: _catalogue().ungettext(singular, plural, n),
        pgettext=lambda context, string: _catalogue().upgettext(context, string),
        npgettext=lambda context, singular, plural, n: _catalogue().unpgettext(
            context, singular, plural, n
        ),
        newstyle=True,
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
    app.jinja_env.filters.update(
        format_number=format_decimal,
        format_percent=format_percent,
        percent=percent,
        decimal=decimal,
    )
