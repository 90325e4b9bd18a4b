"""Configuration classes, all read from the environment."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

# Anything shorter than this is not a real secret: a production server refuses it.
MIN_SECRET_LENGTH = 32
DEV_SECRET = "dev-only-secret-not-for-production"  # noqa: S105 - refused by ProductionConfig


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / name}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("sokrog.db"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # One folder for every file the app writes, so several app servers can share it.
    STORAGE_DIR = os.environ.get("STORAGE_DIR", str(BASE_DIR / "instance" / "storage"))
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))
    # Private signing keys of the institutions, one PEM file each; never in the database.
    # Unset: a `keys` folder beside STORAGE_DIR. A key may instead come from SIGNING_KEY_<SLUG>.
    SIGNING_KEY_DIR = os.environ.get("SIGNING_KEY_DIR", "")
    # The address certificates, QR codes and credentials point to: where the public reaches us.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # Public certificate lookups per client address and window: codes cannot be enumerated.
    VERIFY_RATE_LIMIT = 30
    VERIFY_RATE_WINDOW_SECONDS = 600

    LANGUAGES = ("sl", "hr", "en")
    BABEL_DEFAULT_LOCALE = "sl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Ljubljana"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8  # a working day

    WTF_CSRF_TIME_LIMIT = None  # a long lesson must not expire the form under the reader

    # Login throttling (Moodle calls this account lockout): failures per e-mail and per address.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30
    LOGIN_FAILURE_WINDOW_MINUTES = 15

    # Werkzeug's scrypt with a random salt; tests use a cheaper setting for speed.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    USERS_PER_PAGE = 50
    IS_PRODUCTION = False
    TESTING = False


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key-that-is-long-enough-1234"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    STORAGE_DIR = os.environ.get("TEST_STORAGE_DIR", str(BASE_DIR / "instance" / "test-storage"))
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105


class ProductionConfig(Config):
    IS_PRODUCTION = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def check_production(config: dict) -> None:
    """Refuse to start a production server with a development or weak secret."""
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_LENGTH} characters in production"
        )
    if not os.environ.get("DATABASE_URL"):
        raise RuntimeError("DATABASE_URL must be set in production")
