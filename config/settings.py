"""Crossroads settings.

Everything comes from the environment (django-environ) with defaults that work on a
developer's machine: SQLite, eager Celery, console e-mail. Production sets
DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL and
CELERY_BROKER_URL; see README.md and .env.example.
"""

from datetime import timedelta
from pathlib import Path

import environ

from config.siteurl import DEFAULT_ADDRPORT, site_url_for

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute links (e-mails, feeds, certificates): SITE_URL, else the address run.sh serves on (ADDRPORT).
ADDRPORT = env("ADDRPORT", default=DEFAULT_ADDRPORT)
SITE_URL = env("SITE_URL", default=site_url_for(ADDRPORT)).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_celery_beat",
    "ninja",
    "csp",
    "axes",
    "accounts",
    "events",
    "registrations",
    "referrals",
    "notifications",
    "certificates",
    "networking",
    "reporting",
    "resources",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.CleanInputMiddleware",
    "config.middleware.AtomicWritesMiddleware",
    "core.ratelimit.RatelimitedMiddleware",
    # A registration that waited too long for the session's lock: a clean 503 with Retry-After.
    "core.locking.LockTimeoutMiddleware",
    # Last: turns axes' lock-out of a log-in attempt into accounts.throttling's 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# How long a registration waits for the session's lock (PostgreSQL lock_timeout) before a clean 503.
LOCK_TIMEOUT_MS = env.int("LOCK_TIMEOUT_MS", default=3000)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite ignores SELECT ... FOR UPDATE; IMMEDIATE transactions make writers queue instead.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT: its compile time (200-350 ms) dwarfs the short queries it would speed up ("where can I
        # refer?" at 50,000 pathways crosses jit_above_cost); set PGOPTIONS to override.
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits, rendered feeds; sessions and log-in failures stay in the database) ---------
# Production uses Redis (REDIS_URL), so rate limits hold across processes and servers. Without it the
# cache is per process (local memory): fine on a developer's machine, not behind several workers.
# If Redis goes away the site answers uncached and logs it (core/cache.py).
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# A rate limit the cache cannot count is not applied (the site keeps answering while Redis is down).
RATELIMIT_FAIL_OPEN = True
RATELIMIT_VIEW = "core.ratelimit.too_many_requests"

# --- People ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=3 * 24 * 3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# Log-in throttling (django-axes, see accounts/throttling.py): per account and per address.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "accounts.throttling.login_username"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address"]
# Behind a reverse proxy that sets X-Forwarded-For, the number of proxies in front of Django.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0) or None

# --- Time -----------------------------------------------------------------------------
LANGUAGE_CODE = "en-au"
TIME_ZONE = env("TIME_ZONE", default="Australia/Melbourne")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_URL = env("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": env("DEFAULT_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-mail"))
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Crossroads <noreply@crossroads.example>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# --- Celery ---------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL  # no broker: tasks run inline
CELERY_TASK_EAGER_PROPAGATES = True
# Eager Celery only: long batches (certificates after finalising) run in a background thread, so the request
# returns at once and the page shows progress. False: run them inline in the request.
CROSSROADS_EAGER_IN_THREAD = env.bool("CROSSROADS_EAGER_IN_THREAD", default=True)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
# Work survives a killed worker: a task is acknowledged only after it ran (acks_late), a task whose
# worker process died is put back on the queue (reject_on_worker_lost), and Redis hands an
# unacknowledged task to another worker after the visibility timeout (30 min, well under the hour
# the default would wait). Every task is idempotent (the outbox locks its row; certificate batches
# skip what is done), so running one twice is harmless. The periodic sweep also resumes batches
# that stopped making progress (certificates.services.certificate_batches_resume_stalled).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=30 * 60)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A request must not hang when the broker is down: publishing gives up quickly and the message
# stays pending in the outbox, which the periodic sweep delivers once the broker is back.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}
# Network insights are recomputed this long after the first of a burst of directory changes
# (referrals/insights_store.py).
INSIGHTS_DEBOUNCE_SECONDS = env.int("INSIGHTS_DEBOUNCE_SECONDS", default=30)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2

# --- API ------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 20
NINJA_MAX_PER_PAGE_SIZE = 100
NINJA_PAGINATION_CLASS = "core.pagination.PageNumberPagination"

# --- Security -------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the API's browser clients read it for X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline scripts or
# event-handler attributes (data for scripts comes in json_script blocks or data- attributes). Style
# attributes stay allowed (a map legend's colour swatch); style sheets only from our own files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        # The one <style> cytoscape.js (the pathway map) injects, by its hash.
        "style-src-elem": ["'self'", "'sha256-pgvDUBa4IjFA2yuSJ2cqcyxmNYJMborsd0ORcRv9vw8='"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Permissions-Policy (config.middleware): no powerful features, but the camera on the check-in page.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

CROSSROADS_DEFAULT_TIME_ZONE = "Australia/Melbourne"

# --- Session resources (resources/) -----------------------------------------------------
# The largest file a coordinator or presenter may attach to a session, in MB (a form error / 400 above it).
RESOURCE_MAX_UPLOAD_MB = env.int("RESOURCE_MAX_UPLOAD_MB", default=20)
