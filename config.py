"""Configuration classes, all read from the environment."""

import os
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent

# Anything shorter than this is not a real secret: a production server refuses it.
MIN_SECRET_LENGTH = 32
DEV_SECRET = "dev-only-secret-not-for-production"  # noqa: S105 - refused by ProductionConfig
DEV_BASE_URL = "http://127.0.0.1:5000"


def _secret(name: str, default: str = "") -> str:
    """A secret from the environment, or from the file NAME_FILE names (Docker, systemd)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def _sqlite_url(name: str) -> str:
    return f"sqlite:///{BASE_DIR / 'instance' / name}"


class Config:
    SECRET_KEY = _secret("SECRET_KEY", DEV_SECRET)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _sqlite_url("sokrog.db"))
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    # A pooled database connection idle longer than this (seconds) is tested before it is
    # used again (app.core.database.IdlePing); one that served a request just before is not.
    DATABASE_PING_AFTER = float(os.environ.get("DATABASE_PING_AFTER", "5"))
    # One folder for every file the app writes, so several app servers can share it.
    STORAGE_DIR = os.environ.get("STORAGE_DIR", str(BASE_DIR / "instance" / "storage"))
    # "local": files under STORAGE_DIR; "database": in the database, for many app servers.
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    COURSES_DIR = os.environ.get("COURSES_DIR", str(BASE_DIR / "courses"))
    # The institutions' private signing keys are in the database, encrypted with this
    # key-encryption key (Fernet; several, comma-separated: the first encrypts), or the one in
    # the file SIGNING_KEY_ENCRYPTION_KEY_FILE names. Production must set one.
    SIGNING_KEY_ENCRYPTION_KEY = os.environ.get("SIGNING_KEY_ENCRYPTION_KEY", "")
    SIGNING_KEY_ENCRYPTION_KEY_FILE = os.environ.get("SIGNING_KEY_ENCRYPTION_KEY_FILE", "")
    # Only read by the migration that moved keys into the database: where the PEM files were.
    SIGNING_KEY_DIR = os.environ.get("SIGNING_KEY_DIR", "")
    # The address certificates, QR codes and credentials point to: where the public reaches us.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", DEV_BASE_URL)
    # Requests larger than this are refused (413) before they are read: uploads, forms, all.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(25 * 1024 * 1024)))
    # Form fields that are not files: a GIFT bank confirmed after its preview is up to 2 MB.
    MAX_FORM_MEMORY_SIZE = 3 * 1024 * 1024
    # How many proxies in front of the app set X-Forwarded-For/-Proto/-Host. 0 trusts none, so
    # nobody can choose their own address; behind one load balancer, set 1.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    # Flask-Limiter: counters in this process by default; every server shares them in Redis.
    RATELIMIT_STORAGE_URI = (
        os.environ.get("RATELIMIT_STORAGE_URI") or os.environ.get("REDIS_URL") or "memory://"
    )
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_KEY_PREFIX = "sokrog"
    # Public certificate lookups per client address: codes cannot be enumerated.
    VERIFY_RATE_LIMIT = "30 per 10 minutes"

    # How often each server reads the content version that its page caches follow (seconds):
    # another server's publication shows within this time.
    CONTENT_CHECK_SECONDS = float(os.environ.get("CONTENT_CHECK_SECONDS", "1"))
    # Quiz statistics computed after the attempts changed are shown this long before they are
    # computed again (seconds), as in Moodle; the page says how many attempts came since.
    STATISTICS_MAX_AGE = float(os.environ.get("STATISTICS_MAX_AGE", "900"))
    # The summary across institutions is counted over every employee's evidence: its figures
    # are kept for every server and counted again when older than this (seconds).
    SUMMARY_MAX_AGE = float(os.environ.get("SUMMARY_MAX_AGE", "900"))
    # Anonymous visitors get the public pages from the content cache (app.core.pagecache).
    PUBLIC_PAGE_CACHE = os.environ.get("PUBLIC_PAGE_CACHE", "1") != "0"
    # LOG_FORMAT=json: one JSON object per log line, with the request id (for log collectors).
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
    # This server's name, sent back as X-Instance so operators see which server answered.
    INSTANCE_NAME = os.environ.get("INSTANCE_NAME", "")
    # Background jobs (Huey): redis://, postgresql:// or sqlite:///; unset, REDIS_URL if that is
    # set, else a SQLite file beside the storage folder. Immediate runs each job at once in the
    # process that queued it (tests).
    JOBS_URL = os.environ.get("JOBS_URL", "")
    REDIS_URL = os.environ.get("REDIS_URL", "")
    JOBS_IMMEDIATE = os.environ.get("JOBS_IMMEDIATE", "") == "1"
    # How many jobs one worker runs at once (threads).
    JOBS_WORKERS = int(os.environ.get("JOBS_WORKERS", "2"))

    # E-mail over SMTP. Without MAIL_SERVER, mails go to the log and the admins' outbox page.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "").lower() in ("1", "true", "yes")
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "").lower() in ("1", "true", "yes")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = _secret("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "2SoKroG <no-reply@2sokrog.eu>")
    MAIL_TIMEOUT = 20
    MAIL_BACKEND = "smtp"

    # Learning records (xAPI 1.0.3) go to this LRS (its base address, e.g.
    # https://lrs.example.org/xAPI), with HTTP Basic authentication. Unset: none are made.
    XAPI_LRS_URL = os.environ.get("XAPI_LRS_URL", "")
    XAPI_LRS_KEY = os.environ.get("XAPI_LRS_KEY", "")
    XAPI_LRS_SECRET = os.environ.get("XAPI_LRS_SECRET", "")
    # Name learners by their e-mail (mbox) instead of a pseudonymous account: only where the
    # partners agreed to it (see the privacy notice).
    XAPI_ACTOR_MBOX = os.environ.get("XAPI_ACTOR_MBOX", "").lower() in ("1", "true", "yes")

    # Quiz attempts (answers included) older than this many years are deleted by a periodic
    # job; the evidence and certificates they led to stay. 0 keeps them for ever.
    ATTEMPT_RETENTION_YEARS = int(os.environ.get("ATTEMPT_RETENTION_YEARS", "5"))
    # How long a person's data export can be downloaded before it is deleted.
    DATA_EXPORT_DAYS = 7
    # Who the privacy notice names as the controllers' contact for data protection.
    PRIVACY_CONTACT = os.environ.get("PRIVACY_CONTACT", "dpo@2sokrog.eu")

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

    # Login throttling: per account and client, this many failures are free; then each further
    # try waits LOGIN_BACKOFF_SECONDS, doubling with every failure (no hard lock that a stranger
    # could set off). A client address has a ceiling of failures across all accounts.
    LOGIN_FREE_FAILURES = 5
    LOGIN_BACKOFF_SECONDS = 60
    LOGIN_BACKOFF_STEPS = 8
    LOGIN_FAILURES_PER_ADDRESS = "30 per 15 minutes"
    # Password-reset requests: per client, and per address asked for (so nobody floods a
    # colleague's mailbox); over the limit the page answers as always and sends nothing.
    RESET_REQUESTS_PER_ADDRESS = "20 per hour"
    RESET_REQUESTS_PER_EMAIL = "3 per hour"

    # Werkzeug's scrypt with a random salt; tests use a cheaper setting for speed.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name, not a password
    USERS_PER_PAGE = 50
    # The accessibility statement's feedback goes here (the operator's contact for barriers).
    ACCESSIBILITY_CONTACT = os.environ.get("ACCESSIBILITY_CONTACT", "dostopnost@2sokrog.eu")
    ACCESSIBILITY_LANGUAGE = os.environ.get("ACCESSIBILITY_LANGUAGE", "sl")
    FEEDBACK_RATE_LIMIT = "5 per hour"
    # Rows on a page of a staff list (attempts, certificates, grading queue, assignments).
    LIST_PER_PAGE = 50
    # Employees on a page of the HR matrix (rows of up to 40 competences each).
    MATRIX_PER_PAGE = 100
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
    JOBS_IMMEDIATE = os.environ.get("JOBS_IMMEDIATE", "1") == "1"
    MAIL_SERVER = ""
    XAPI_LRS_URL = ""
    # Tests change content through one app and read it through another at once.
    CONTENT_CHECK_SECONDS = 0.0
    STATISTICS_MAX_AGE = 0.0  # always current; tests of the kept statistics set their own
    SUMMARY_MAX_AGE = 0.0


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


def check_production(config: dict[str, Any]) -> None:
    """Refuse to start a production server that would sign or link to the wrong things."""
    secret = config.get("SECRET_KEY") or ""
    if secret == DEV_SECRET or len(secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(
            "SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_LENGTH} characters in production"
        )
    if not os.environ.get("DATABASE_URL"):
        raise RuntimeError("DATABASE_URL must be set in production")
    # Every certificate, QR code and credential carries this address for good: a default one
    # would send verifiers to a machine that is not ours.
    base = (config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not os.environ.get("PUBLIC_BASE_URL") or base in ("", DEV_BASE_URL):
        raise RuntimeError(
            "PUBLIC_BASE_URL must be set in production to the public address of the platform "
            "(for example https://learning.2sokrog.eu): certificates, QR codes and credentials "
            "carry it"
        )
    if not base.startswith(("https://", "http://")):
        raise RuntimeError(f"PUBLIC_BASE_URL must start with https:// (got {base!r})")
    if not (
        config.get("SIGNING_KEY_ENCRYPTION_KEY") or config.get("SIGNING_KEY_ENCRYPTION_KEY_FILE")
    ):
        raise RuntimeError(
            "SIGNING_KEY_ENCRYPTION_KEY (or SIGNING_KEY_ENCRYPTION_KEY_FILE) must be set in "
            "production: it encrypts the institutions' signing keys in the database"
        )
