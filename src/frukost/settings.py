"""Django settings, all read from the environment (see docs/configuration.md).

Defaults are the safe production ones: DEBUG is off unless FRUKOST_DEBUG=1, and without
DEBUG a FRUKOST_SECRET_KEY must be given.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _

from frukost import config
from frukost.config import ConfigurationError, env, env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent
# What frukost creates (the SQLite file and its WAL, mail files, backups, static files) is never
# readable by other local users: the database holds every registration and the password hashes.
# A stricter umask given by the caller (systemd's UMask=) is kept.
os.umask(os.umask(0o027) | 0o027)
DATA_DIR = Path(env("FRUKOST_DATA_DIR", str(Path.cwd() / "var"))).resolve()
try:
    config.make_private_dir(DATA_DIR)
except OSError as exc:
    raise ConfigurationError(f"FRUKOST_DATA_DIR: cannot create {DATA_DIR}: {exc.strerror}") from exc

DEBUG = env_bool("FRUKOST_DEBUG", False)
TESTING = env_bool("FRUKOST_TESTING", False)

SECRET_KEY = env("FRUKOST_SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = config.DEVELOPMENT_SECRET_KEY
    elif config.signs_nothing:
        # `frukost import-invitation`, `frukost help` …: nothing this process signs outlives it.
        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        raise ConfigurationError(
            "FRUKOST_SECRET_KEY is required when FRUKOST_DEBUG is off: set it (or FRUKOST_SECRET_KEY_FILE) "
            "to a long random string (see docs/configuration.md)"
        )

# The public address of the site, used for links in e-mails and calendar files.
BASE_URL = (env("FRUKOST_BASE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

ALLOWED_HOSTS = env_list("FRUKOST_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG or TESTING else "")
CSRF_TRUSTED_ORIGINS = env_list("FRUKOST_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Before allauth: its templates (sign-in, two-factor) are shown in the back office's frame.
    "frukost.backoffice",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "frukost.core",
    "frukost.events",
    "frukost.accounts",
    "frukost.registrations",
    "frukost.contacts",
    "frukost.messaging",
    "frukost.catering",
    "frukost.checkin",
    "frukost.followup",
    "frukost.invitations",
    "frukost.mail",
    "frukost.importer",
    "frukost.privacy",
    "frukost.public",
    "frukost.demo",
]

MIDDLEWARE = [
    "frukost.core.http.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "frukost.public.middleware.SwedishFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "frukost.backoffice.middleware.SessionLimitsMiddleware",
    "frukost.core.http.LazyMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frukost.core.http.ContentSecurityPolicyMiddleware",
    "frukost.core.http.PermissionsPolicyMiddleware",
]

ROOT_URLCONF = "frukost.urls"
WSGI_APPLICATION = "frukost.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default, tuned for concurrent writers: IMMEDIATE transactions take the write lock
# at BEGIN, so the busy timeout applies (with Django's default DEFERRED mode a read transaction
# that upgrades to a write fails at once with "database is locked"). WAL lets readers go on
# while one request writes.
SQLITE_PATH = DATA_DIR / "frukost.sqlite3"
DATABASE_URL = env("DATABASE_URL")
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=20000;"
    ),
}
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("FRUKOST_DB_CONN_MAX_AGE", 60))
    }
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's backend, with a health check that makes no round trip while the connection's
        # socket shows nothing from the server (frukost/core/postgresql/base.py).
        DATABASES["default"]["ENGINE"] = "frukost.core.postgresql"
        # Values travel apart from the SQL (psycopg's server-side binding), and a statement a
        # connection has run FRUKOST_DB_PREPARE_THRESHOLD times is prepared on the server: it is
        # then neither parsed nor planned again (benchmarks/README.md, issue 10, third pass).
        # 0 turns preparing off, for a pooler that cannot keep prepared statements (PgBouncer
        # before 1.21 in transaction mode; docs/deploy.md).
        prepare_threshold = env_int("FRUKOST_DB_PREPARE_THRESHOLD", 5)
        DATABASES["default"]["OPTIONS"] = {
            "server_side_binding": True,
            "prepare_threshold": prepare_threshold or None,
            **DATABASES["default"].get("OPTIONS", {}),
        }
    elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A SQLite file named by DATABASE_URL is tuned like the default one (several workers write).
        DATABASES["default"]["ENGINE"] = "frukost.core.sqlite3"
        DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
else:
    DATABASES = {
        "default": {
            # Django's backend, with each statement's placeholder rewrite kept per SQL text
            # (frukost/core/sqlite3/base.py).
            "ENGINE": "frukost.core.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": dict(SQLITE_OPTIONS),
            # Keep each worker's connection: opening one per request (and its PRAGMAs, and the WAL
            # checkpoint when the last connection closes) cost ~3 ms per page under load.
            "CONN_MAX_AGE": env_int("FRUKOST_DB_CONN_MAX_AGE", 600),
            "CONN_HEALTH_CHECKS": True,
            # Tests that race real requests need a database file that several connections share.
            "TEST": {"NAME": str(DATA_DIR / "test.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sign-in (django-allauth: e-mail and password, TOTP two-factor, recovery codes) -----------
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # the operators' admin (username)
    "allauth.account.auth_backends.AuthenticationBackend",  # the back office (e-mail)
]
# Argon2id first (OWASP's recommendation); the others only verify hashes made before.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "backoffice:home"
ACCOUNT_ADAPTER = "frukost.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "frukost.accounts.forms.LoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
# People join by an owner's invitation, which proves the address; nobody signs up on their own.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# Throttling: after repeated failures the form refuses further tries for a while (per address and IP).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("FRUKOST_LOGIN_FAILED_LIMIT", "5/5m/ip,5/15m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
# Behind the reverse proxy allauth must take the client from X-Forwarded-For (the hop the proxy
# added, the right-most), or every sign-in comes from 127.0.0.1 and the per-IP limit above locks
# everybody out after five wrong passwords from anyone.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if env_bool("FRUKOST_BEHIND_PROXY") else 0
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("FRUKOST_REAUTHENTICATION_SECONDS", 300)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env("FRUKOST_TOTP_ISSUER", "frukost")
MFA_RECOVERY_CODE_COUNT = 10
# An owner's invitation to join an organisation is a link that works this many days.
FRUKOST_MEMBER_INVITATION_DAYS = env_int("FRUKOST_MEMBER_INVITATION_DAYS", 7)

# Back-office sessions end after an idle period and after a maximum age, whatever happens.
SESSION_COOKIE_AGE = env_int("FRUKOST_SESSION_MAX_AGE_SECONDS", 12 * 3600)
FRUKOST_SESSION_IDLE_SECONDS = env_int("FRUKOST_SESSION_IDLE_SECONDS", 30 * 60)
SESSION_COOKIE_NAME = "frukost_session"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "frukost_language"
LANGUAGE_COOKIE_SECURE = not DEBUG and not TESTING
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files and uploads ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
config.make_private_dir(STATIC_ROOT)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "uploads"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- E-mail ---------------------------------------------------------------------------------
# Every message goes through the outbox (frukost.mail); the worker hands it to this backend.
# Development writes one .eml file per message into $FRUKOST_DATA_DIR/mail.
MAIL_DIR = DATA_DIR / "mail"
# The ids of what people had erased, outside the database, for replaying after a restore
# (frukost.core.erasure_journal).
FRUKOST_ERASURE_JOURNAL = DATA_DIR / "erasures.log"
EMAIL_BACKEND = env(
    "FRUKOST_EMAIL_BACKEND",
    "frukost.mail.backends.EmlDirectoryBackend"
    if DEBUG or TESTING or not env("FRUKOST_SMTP_HOST")
    else "frukost.mail.backends.SmtpBackend",
)
EMAIL_HOST = env("FRUKOST_SMTP_HOST", "localhost")
EMAIL_PORT = env_int("FRUKOST_SMTP_PORT", 587)
EMAIL_HOST_USER = env("FRUKOST_SMTP_USER", "")
EMAIL_HOST_PASSWORD = env("FRUKOST_SMTP_PASSWORD", "")
# TLS unless explicitly turned off: implicit TLS on port 465, STARTTLS on every other port (a server
# without STARTTLS is an error, never a silent fall back to plain text). FRUKOST_SMTP_TLS=off sends
# the password and the mail in clear; a deploy check warns about it.
EMAIL_USE_TLS, EMAIL_USE_SSL = config.smtp_tls(env("FRUKOST_SMTP_TLS", "on"), port=EMAIL_PORT)
EMAIL_TIMEOUT = env_int("FRUKOST_SMTP_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("FRUKOST_FROM_EMAIL", "frukost <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Outbox worker: how often to poll, how many attempts before giving up, when "sending" is stuck.
FRUKOST_MAIL_MAX_ATTEMPTS = env_int("FRUKOST_MAIL_MAX_ATTEMPTS", 8)
FRUKOST_MAIL_RETRY_BASE_SECONDS = env_int("FRUKOST_MAIL_RETRY_BASE_SECONDS", 30)
FRUKOST_MAIL_STUCK_AFTER_SECONDS = env_int("FRUKOST_MAIL_STUCK_AFTER_SECONDS", 600)
FRUKOST_WORKER_POLL_SECONDS = env_int("FRUKOST_WORKER_POLL_SECONDS", 2)
# Retention beyond the organisation's own settings (frukost.privacy.retention, docs/configuration.md).
FRUKOST_RETAIN_MAIL_DAYS = env_int("FRUKOST_RETAIN_MAIL_DAYS", 90)
# A lead (a yes to being contacted by the local representative) goes this long after the yes.
FRUKOST_RETAIN_LEADS_MONTHS = env_int("FRUKOST_RETAIN_LEADS_MONTHS", 12)
# Bulk mail (messages to attendees) sent per worker round, after all due transactional mail.
FRUKOST_MAIL_BULK_BATCH = env_int("FRUKOST_MAIL_BULK_BATCH", 20)
# Bulk mail handed to the mail server per minute by all workers together (0: no limit); what the
# organisation's mail server accepts. Transactional mail is never held back by it.
FRUKOST_MAIL_BULK_PER_MINUTE = env_int("FRUKOST_MAIL_BULK_PER_MINUTE", 300)
# Whose clock the outbox's due/stuck/rate decisions use on PostgreSQL: "database" (one clock for
# every worker) or "process" (each worker's own; the test suite's, which freezes it). See mail.worker.
FRUKOST_WORKER_CLOCK = env("FRUKOST_WORKER_CLOCK", "database") or "database"
if FRUKOST_WORKER_CLOCK not in {"database", "process"}:
    raise ConfigurationError(
        f"FRUKOST_WORKER_CLOCK must be database or process, not {FRUKOST_WORKER_CLOCK!r}"
    )

# How long a seat is held for a colleague who has not yet confirmed (never past the deadline).
FRUKOST_COLLEAGUE_HOLD_HOURS = env_int("FRUKOST_COLLEAGUE_HOLD_HOURS", 72)
# The hour (Stockholm time, 0-23) the "still coming?" e-mail goes out, Event.reminder_days_before
# days before the event.
FRUKOST_REMINDER_HOUR = env_int("FRUKOST_REMINDER_HOUR", 9)

# --- Abuse of the public form: rate limits (docs/configuration.md, "Rate limits") ----------------
# Behind a reverse proxy the client is the right-most X-Forwarded-For hop (the one the proxy added).
FRUKOST_BEHIND_PROXY = env_bool("FRUKOST_BEHIND_PROXY")
# Counters live in the database unless Redis is configured (then Django's RedisCache).
FRUKOST_REDIS_URL = env("FRUKOST_REDIS_URL", "")
FRUKOST_RATELIMIT_WINDOW_SECONDS = env_int("FRUKOST_RATELIMIT_WINDOW_SECONDS", 600)
# People (a registrant and their colleagues) registered per window from one IP address (IPv6: /64).
FRUKOST_RATELIMIT_PER_IP = env_int("FRUKOST_RATELIMIT_PER_IP", 20)
# People registered for one event from one IP address in a day (slowly filling an event).
FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY = env_int("FRUKOST_RATELIMIT_PER_IP_PER_EVENT_PER_DAY", 30)
# Data-request forms (/mina-uppgifter/) per window from one IP address.
FRUKOST_RATELIMIT_DATA_REQUESTS_PER_IP = env_int("FRUKOST_RATELIMIT_DATA_REQUESTS_PER_IP", 10)
# Registration forms sent per window naming one e-mail address (as registrant or colleague), per event.
FRUKOST_RATELIMIT_PER_EMAIL = env_int("FRUKOST_RATELIMIT_PER_EMAIL", 5)
# People registered per window for one event, from everywhere together.
FRUKOST_RATELIMIT_PER_EVENT = env_int("FRUKOST_RATELIMIT_PER_EVENT", 2000)
# E-mails a stranger's form can make us send one address per hour: "your personal link" (registering
# it again) and the data-request link, counted together.
FRUKOST_MAIL_PER_ADDRESS_PER_HOUR = env_int("FRUKOST_MAIL_PER_ADDRESS_PER_HOUR", 3)
# The default cache holds allauth's sign-in throttle (ACCOUNT_RATE_LIMITS): it must be one that
# every gunicorn worker shares and that survives a reload, so never the per-process LocMemCache.
# Always Django's database cache (its table is made by core's migration 0006_cache_table), even
# when Redis is configured: Redis serves only the rate-limit counters ("ratelimit"), which fall
# back to the database when it is down (core.ratelimit); a sign-in must never fail with Redis.
# Cached page fragments live apart, per process: they are only a speed-up.
CACHE_TABLE = "frukost_cache"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": CACHE_TABLE,
        # Culling past MAX_ENTRIES would drop throttle counters: keep it well above what the
        # per-IP limits let anyone create in a window.
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
    "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
}
if FRUKOST_REDIS_URL:
    CACHES["ratelimit"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": FRUKOST_REDIS_URL,
    }

# --- Security -------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("FRUKOST_BEHIND_PROXY") else None
SESSION_COOKIE_SECURE = not DEBUG and not TESTING and env_bool("FRUKOST_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# HSTS for a year in production (the site is only ever served over HTTPS); never in development,
# where a browser would remember it for localhost. Subdomains and preloading are decisions about
# the whole domain, so they are off unless the operator says so.
SECURE_HSTS_SECONDS = env_int("FRUKOST_HSTS_SECONDS", 0 if DEBUG or TESTING else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("FRUKOST_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("FRUKOST_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    # The reverse proxy redirects HTTP to HTTPS (docs/deploy.md); gunicorn only listens on loopback,
    # and frukost's own deploy check requires an https FRUKOST_BASE_URL.
    "security.W008",
    # includeSubDomains and preload are the domain owner's decisions (FRUKOST_HSTS_INCLUDE_SUBDOMAINS,
    # FRUKOST_HSTS_PRELOAD), not this site's.
    "security.W005",
    "security.W021",
]
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
# Logs what was wrong (the reason, the origins compared, whether the request was seen as https)
# and shows the visitor the kind page.
CSRF_FAILURE_VIEW = "frukost.public.operations.csrf_failure"
# Powerful browser features are off everywhere; a page that needs one (the camera for a later
# check-in page) allows it for itself with frukost.core.http.permissions_policy(camera="self").
PERMISSIONS_POLICY = {
    feature: ""
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Who runs this site (the processor, GDPR art. 28): named in every privacy notice, on the
# accessibility statement and in security.txt. The contacts default to the operator's address.
FRUKOST_OPERATOR_NAME = env("FRUKOST_OPERATOR_NAME", "") or ""
FRUKOST_OPERATOR_EMAIL = env("FRUKOST_OPERATOR_EMAIL", "") or ""
FRUKOST_ACCESSIBILITY_CONTACT = env("FRUKOST_ACCESSIBILITY_CONTACT", "") or FRUKOST_OPERATOR_EMAIL
FRUKOST_SECURITY_CONTACT = env("FRUKOST_SECURITY_CONTACT", "") or FRUKOST_OPERATOR_EMAIL
# `frukost backup`: where the copies go and how many days they are kept.
FRUKOST_BACKUP_DIR = Path(env("FRUKOST_BACKUP_DIR", "") or DATA_DIR / "backups")
FRUKOST_BACKUP_KEEP_DAYS = env_int("FRUKOST_BACKUP_KEEP_DAYS", 30)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'", NONCE],
        "script-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Personal links are secrets: "/r/<token>/" is written "/r/…/" in every log line (see
    # core/logredact.py; gunicorn's own access and error logs use core.gunicorn.RedactingLogger).
    "filters": {"redact_tokens": {"()": "frukost.core.logredact.RedactTokens"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # A request for a host the site does not serve is a scanner's noise: one line, no traceback.
        "one_line": {
            "()": "frukost.core.logging.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]},
        "console_one_line": {
            "class": "logging.StreamHandler",
            "formatter": "one_line",
            "filters": ["redact_tokens"],
        },
        "nowhere": {"class": "logging.NullHandler"},
    },
    "root": {"handlers": ["console"], "level": env("FRUKOST_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Django's own defaults give these loggers handlers of their own, which would write the
        # request line ("Not Found: /r/<token>/") without the filter: all of it goes to the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        "django.security.DisallowedHost": {
            "handlers": ["console_one_line"],
            "level": "WARNING",
            "propagate": False,
        },
        # frukost.security.csrf logs each CSRF failure (public/operations.py); Django's own line
        # carries the path, which may be a personal link.
        "django.security.csrf": {"handlers": ["nowhere"], "propagate": False},
    },
}

# --- Personal links (registrations/links.py, docs/configuration.md) -------------------------
# A personal link stops opening this many days after its event ended.
FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT = env_int("FRUKOST_PERSONAL_LINK_DAYS_AFTER_EVENT", 30)
