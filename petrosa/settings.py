"""Petrosa Control Plane settings: one module, read from the environment.

Defaults are safe for a laptop (SQLite, eager Celery, in-memory channel
layer, paper trading). Anything unsafe for production fails loudly at start
instead of running quietly in a dangerous shape.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core Django -------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("PETROSA_PRODUCTION", False)
_DEV_SECRET = "dev-only-insecure-secret-key-change-me"  # noqa: S105 - refused in production below
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

if PRODUCTION:
    # A production process must never start with development values.
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be false when PETROSA_PRODUCTION is set")
    if SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("SECRET_KEY must be set to a random value of 50+ characters in production")
    if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must list the real host names in production (no '*')")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production")
    if not os.environ.get("REDIS_URL"):
        raise ImproperlyConfigured("REDIS_URL is required in production (Celery broker, channel layer, cache)")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "petrosa.core",
    "configs_app",
    "signals_app",
    "risk_app",
    "execution_app",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "petrosa.urls"
WSGI_APPLICATION = "petrosa.wsgi.application"
ASGI_APPLICATION = "petrosa.asgi.application"

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
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------
# PostgreSQL in tests and production; a SQLite file only for the quick start.

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", True):
        # Under ASGI each request's sync code runs in a fresh thread, so persistent
        # per-thread connections pile up until PostgreSQL refuses more. A psycopg
        # pool per process bounds them instead.
        DATABASES["default"]["OPTIONS"] = {
            "pool": {"min_size": 1, "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "8")), "timeout": 10}
        }
        DATABASES["default"]["CONN_MAX_AGE"] = 0
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "0"))
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "petrosa.sqlite3")),
            # Eager Celery runs the pipeline inside the request; give concurrent
            # writers time instead of "database is locked".
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker, channel layer, cache ------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
EMBEDDED = not REDIS_URL

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Celery (see petrosa/celery.py) ------------------------------------------

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = EMBEDDED
# Errors inside an eager task must not turn the intake request into a 500:
# the row stays in a non-final state and the sweeper retries it.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 60
CELERY_TASK_SOFT_TIME_LIMIT = 50
# Tasks are short; a shorter visibility timeout brings back the message of a
# worker killed outright within minutes instead of an hour. The sweeper covers
# the rest from the database.
# max_retries=0: a publish while Redis is down fails at once (the intake answers
# 202 and the sweeper re-enqueues later) instead of blocking the request 2 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300, "socket_connect_timeout": 1, "max_retries": 0}
# Workers and beat keep reconnecting through an outage of any length.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ROUTES = {
    "signals.*": {"queue": "signals"},
    "execution.*": {"queue": "execution"},
    "petrosa.*": {"queue": "signals"},
}
CELERY_TASK_DEFAULT_QUEUE = "signals"
CELERY_TIMEZONE = "UTC"
SWEEP_INTERVAL_SECONDS = float(os.environ.get("PETROSA_SWEEP_INTERVAL_SECONDS", "10"))
# A row this old in a non-final state is assumed lost in transit and re-enqueued.
SWEEP_STALE_AFTER_SECONDS = float(os.environ.get("PETROSA_SWEEP_STALE_AFTER_SECONDS", "15"))
CELERY_BEAT_SCHEDULE = {
    "sweep-stuck-work": {"task": "petrosa.sweep_stuck_work", "schedule": SWEEP_INTERVAL_SECONDS},
}

# --- NATS (optional signal bus) ---------------------------------------------

NATS_URL = os.environ.get("NATS_URL", "")  # empty: consume_signals uses nats://127.0.0.1:4222
NATS_STREAM = os.environ.get("PETROSA_NATS_STREAM", "SIGNALS")
NATS_SIGNAL_SUBJECTS = env_list("PETROSA_NATS_SIGNAL_SUBJECTS", "signals.trading,signals.trading.>")
NATS_DURABLE = os.environ.get("PETROSA_NATS_DURABLE", "petrosa-intake")
NATS_DEAD_LETTER_SUBJECT = os.environ.get("PETROSA_NATS_DEAD_LETTER_SUBJECT", "signals.dead_letter")
NATS_EVENTS_SUBJECT_PREFIX = os.environ.get("PETROSA_NATS_EVENTS_PREFIX", "execution.events")
# "subject=strategy_name,..." for publishers that cannot send a key header.
NATS_SUBJECT_STRATEGIES = dict(
    item.split("=", 1) for item in env_list("PETROSA_NATS_SUBJECT_STRATEGIES", "") if "=" in item
)

# --- Trading mode -------------------------------------------------------------

TRADING_MODE = os.environ.get("PETROSA_TRADING_MODE", "paper").lower()
if TRADING_MODE not in ("paper", "testnet", "live"):
    raise ImproperlyConfigured("PETROSA_TRADING_MODE must be one of paper, testnet, live")
BINANCE_API_KEY = os.environ.get("BINANCE_API_KEY", "")
BINANCE_API_SECRET = os.environ.get("BINANCE_API_SECRET", "")
BINANCE_BASE_URL = os.environ.get("BINANCE_BASE_URL", "")
if TRADING_MODE != "paper" and not (BINANCE_API_KEY and BINANCE_API_SECRET):
    raise ImproperlyConfigured(
        f"PETROSA_TRADING_MODE={TRADING_MODE} needs BINANCE_API_KEY and BINANCE_API_SECRET in the environment"
    )
# Which Binance market orders go to: USD-M futures (longs and shorts) or spot.
EXCHANGE_MARKET = os.environ.get("PETROSA_MARKET", "usdm").lower()
if EXCHANGE_MARKET not in ("usdm", "spot"):
    raise ImproperlyConfigured("PETROSA_MARKET must be usdm or spot")
# Prefix of our client order ids, so two deployments on one account never collide.
CLIENT_ORDER_PREFIX = os.environ.get("PETROSA_CLIENT_ORDER_PREFIX", "pt")
PAPER_TAKER_FEE_RATE = os.environ.get("PETROSA_PAPER_TAKER_FEE_RATE", "0.001")
PAPER_MAKER_FEE_RATE = os.environ.get("PETROSA_PAPER_MAKER_FEE_RATE", "0.001")
PAPER_STARTING_EQUITY = os.environ.get("PETROSA_PAPER_STARTING_EQUITY", "100000")

# --- Auth, API ---------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/admin/login/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "signals_app.auth.StrategyKeyAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["petrosa.core.api.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "petrosa.core.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Petrosa Control Plane API",
    "DESCRIPTION": "Signals in, risk-gated orders out. Strategies authenticate with their own API key.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Static files -------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "petrosa" / "static"]
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging ------------------------------------------------------------------

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

PETROSA_VERSION = "0.1.0"
PETROSA_GIT_COMMIT = os.environ.get("PETROSA_GIT_COMMIT", "")
PETROSA_BUILD_DATE = os.environ.get("PETROSA_BUILD_DATE", "")
