"""Petrosa Control Plane settings: one module, read from the environment.

Defaults are safe for a laptop (SQLite, eager Celery, in-memory channel
layer, paper trading). Anything unsafe for production fails loudly at start
instead of running quietly in a dangerous shape.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from petrosa.core.logging import logging_config
from petrosa.core.metrics.multiproc import multiproc_dir_configure
from petrosa.core.version import __version__

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
    "petrosa.core.logging.CorrelationIdMiddleware",
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
            # redis-py 8 reads with a 5 s socket timeout by default, the same as
            # channels-redis's blocking pop: an idle websocket then died after 5 s.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 2}],
                "capacity": 1000,
                "expiry": 30,
            },
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
# One (disabled) result backend per process instead of one per thread: under ASGI each
# request runs in a new thread, and every publish built a fresh backend (~0.3 ms).
CELERY_RESULT_BACKEND_THREAD_SAFE = True
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
    "seal-audit": {"task": "petrosa.seal_audit", "schedule": 5.0, "options": {"expires": 30.0}},
    "expire-trade-ideas": {"task": "signals.expire_trade_ideas", "schedule": 60.0},
    # Opens the UTC day within seconds of midnight and trips the daily-loss breaker on unrealized losses.
    "risk-breaker-watch": {"task": "risk.breaker_watch", "schedule": 10.0, "options": {"expires": 10.0}},
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
# Orders: a claimed order whose result was never recorded is looked up by client
# order id after this long; the watcher (held orders, live-order sync, missed
# follow-ups) runs this often; an entry whose protective leg cannot be placed
# after max_retries is closed at market when FLATTEN_UNPROTECTED is on.
ORDER_RECONCILE_AFTER_SECONDS = float(os.environ.get("PETROSA_ORDER_RECONCILE_AFTER_SECONDS", "30"))
ORDER_WATCH_INTERVAL_SECONDS = float(os.environ.get("PETROSA_ORDER_WATCH_INTERVAL_SECONDS", "2"))
FLATTEN_UNPROTECTED_POSITIONS = env_bool("PETROSA_FLATTEN_UNPROTECTED", False)
CELERY_BEAT_SCHEDULE["watch-orders"] = {
    "task": "execution.watch_orders",
    "schedule": ORDER_WATCH_INTERVAL_SECONDS,
    "options": {"expires": max(5.0, 2 * ORDER_WATCH_INTERVAL_SECONDS)},
}
# The paper exchange's synthetic book: level 0 at the last price, then one level
# every SPACING_BPS away on each side, each holding LEVEL_NOTIONAL of quote.
# Bigger orders walk more levels, so slippage grows with size.
PAPER_BOOK_LEVELS = int(os.environ.get("PETROSA_PAPER_BOOK_LEVELS", "20"))
PAPER_BOOK_LEVEL_SPACING_BPS = os.environ.get("PETROSA_PAPER_BOOK_LEVEL_SPACING_BPS", "2")
PAPER_BOOK_LEVEL_NOTIONAL = os.environ.get("PETROSA_PAPER_BOOK_LEVEL_NOTIONAL", "50000")

# --- Binance adapter and the Binance-compatible paper exchange server --------
# BINANCE_BASE_URL (above) / BINANCE_FUTURES_BASE_URL: scheme + host that replaces
# api.binance.com / fapi.binance.com (testnet and live), e.g. the paper exchange server.
BINANCE_FUTURES_BASE_URL = os.environ.get("BINANCE_FUTURES_BASE_URL", "")
BINANCE_TIMEOUT_SECONDS = float(os.environ.get("PETROSA_BINANCE_TIMEOUT_SECONDS", "10"))
# A Retry-After longer than this is not waited out inside a worker: the order is refused instead.
BINANCE_MAX_BACKOFF_SECONDS = float(os.environ.get("PETROSA_BINANCE_MAX_BACKOFF_SECONDS", "10"))
PAPER_EXCHANGE_API_KEY = os.environ.get("PETROSA_PAPER_EXCHANGE_API_KEY", "paper-api-key")
PAPER_EXCHANGE_API_SECRET = os.environ.get("PETROSA_PAPER_EXCHANGE_API_SECRET", "paper-api-secret")
PAPER_EXCHANGE_SPOT_WEIGHT_LIMIT = int(os.environ.get("PETROSA_PAPER_EXCHANGE_SPOT_WEIGHT_LIMIT", "6000"))
PAPER_EXCHANGE_FUTURES_WEIGHT_LIMIT = int(os.environ.get("PETROSA_PAPER_EXCHANGE_FUTURES_WEIGHT_LIMIT", "2400"))
# TEST-ONLY: the server's /_paper/ fault-injection endpoints (execution_app/paper_server/faults.py).
PAPER_EXCHANGE_FAULTS = env_bool("PETROSA_PAPER_EXCHANGE_FAULTS", False)
if PRODUCTION and PAPER_EXCHANGE_FAULTS:
    raise ImproperlyConfigured("PETROSA_PAPER_EXCHANGE_FAULTS is a test-only hook; it is refused in production")
# Reconciliation with the exchange (testnet/live): before the first trade of a process, then on this schedule.
RECONCILE_INTERVAL_SECONDS = float(os.environ.get("PETROSA_RECONCILE_INTERVAL_SECONDS", "60"))
CELERY_BEAT_SCHEDULE["reconcile-exchange"] = {
    "task": "execution.reconcile_exchange",
    "schedule": RECONCILE_INTERVAL_SECONDS,
    "options": {"expires": RECONCILE_INTERVAL_SECONDS},
}

# --- AI trade ideas (advisory only: ideas wait for a reviewer) ---------------

AI_ADVISOR = os.environ.get("PETROSA_AI_ADVISOR", "rules").lower()
if AI_ADVISOR not in ("rules", "llm"):
    raise ImproperlyConfigured("PETROSA_AI_ADVISOR must be rules or llm")
AI_LLM_URL = os.environ.get("PETROSA_AI_LLM_URL", "")  # OpenAI-compatible base URL, e.g. .../v1
AI_LLM_API_KEY = os.environ.get("PETROSA_AI_LLM_API_KEY", "")
AI_LLM_MODEL = os.environ.get("PETROSA_AI_LLM_MODEL", "gpt-4o-mini")
AI_LLM_TIMEOUT_SECONDS = float(os.environ.get("PETROSA_AI_LLM_TIMEOUT_SECONDS", "20"))
AI_IDEA_TTL_SECONDS = int(os.environ.get("PETROSA_AI_IDEA_TTL_SECONDS", "900"))
# How often each dashboard socket re-reads marks, equity and the breaker and
# sends what changed (events from the services go out at once regardless).
DASHBOARD_TICK_SECONDS = float(os.environ.get("PETROSA_DASHBOARD_TICK_SECONDS", "1"))

# --- Market data feed and the demo (petrosa/core/feeds, signals_app/engine) -----
# PETROSA_DEMO: `make run` turns it on, so the quick start trades by itself
# (seed_demo creates the demo strategies; the price feed ticks). Off by default
# everywhere else: nothing trades unless an operator set it up.
DEMO = env_bool("PETROSA_DEMO", False)
MARKET_FEED = os.environ.get("PETROSA_MARKET_FEED", "").lower() or (
    "binance" if TRADING_MODE != "paper" else "random_walk" if DEMO else "off"
)
if MARKET_FEED not in ("off", "random_walk", "kline_replay", "binance"):
    raise ImproperlyConfigured("PETROSA_MARKET_FEED must be off, random_walk, kline_replay or binance")
if TRADING_MODE != "paper" and MARKET_FEED in ("random_walk", "kline_replay"):
    # Strategies would trade real money on made-up prices.
    raise ImproperlyConfigured(f"PETROSA_MARKET_FEED={MARKET_FEED} is for paper trading only")
MARKET_TICK_SECONDS = float(os.environ.get("PETROSA_MARKET_TICK_SECONDS", "1"))
MARKET_SEED = int(os.environ.get("PETROSA_MARKET_SEED", "7"))
# "BTCUSDT=/path/BTCUSDT-1m-2024-01.csv,..." for kline_replay.
MARKET_KLINE_CSV = dict(item.split("=", 1) for item in env_list("PETROSA_KLINE_CSV", "") if "=" in item)
if MARKET_FEED == "kline_replay" and not MARKET_KLINE_CSV:
    raise ImproperlyConfigured("PETROSA_MARKET_FEED=kline_replay needs PETROSA_KLINE_CSV=SYMBOL=path,...")
MARKET_SYMBOLS = env_list("PETROSA_MARKET_SYMBOLS", "")  # binance feed; empty: the bundled symbols
MARKET_FEED_URL = os.environ.get("PETROSA_MARKET_FEED_URL", "")  # binance feed; empty: Binance's public URL
if MARKET_FEED != "off":
    # A tick that waited longer than a few intervals is stale: drop it rather than replay a burst.
    CELERY_BEAT_SCHEDULE["market-tick"] = {
        "task": "petrosa.market_tick",
        "schedule": MARKET_TICK_SECONDS,
        "options": {"expires": max(5.0, 5 * MARKET_TICK_SECONDS)},
    }

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
        "petrosa.core.user_tokens.UserTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["petrosa.core.api.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "petrosa.core.schema_errors.ErrorResponsesAutoSchema",
    "EXCEPTION_HANDLER": "petrosa.core.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Petrosa Control Plane API",
    "DESCRIPTION": "Signals in, risk-gated orders out. Strategies authenticate with their own API key.",
    "VERSION": __version__,
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from our own static files: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Name the AI trade idea enums instead of letting them collide with the signal's.
    "ENUM_NAME_OVERRIDES": {
        "TradeIdeaActionEnum": "signals_app.models_ideas.IdeaAction",
        "TradeIdeaStatusEnum": "signals_app.models_ideas.IdeaStatus",
        "OrderStatusEnum": "execution_app.models.OrderStatus",
        "OrderRoleEnum": "execution_app.models.OrderRole",
        "ManualOrderActionEnum": [("open", "open"), ("close", "close")],
        "SignalStatusEnum": "signals_app.models.SignalStatus",
        "SignalActionEnum": "signals_app.models.Action",
        "SignalSourceEnum": "signals_app.models.Source",
    },
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

# One JSON object per line with the correlation id; secrets redacted (petrosa/core/logging.py).
# LOG_FORMAT=plain gives one readable text line per record instead.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json").lower()
LOGGING = logging_config(level=LOG_LEVEL, fmt=LOG_FORMAT)

# --- Operations: version, metrics, heartbeats ------------------------------------

PETROSA_VERSION = __version__  # the one version string lives in petrosa/core/version.py
# Every process of a deployment writes its samples here; /metrics adds them up.
PROMETHEUS_MULTIPROC_DIR = multiproc_dir_configure(base=BASE_DIR / "var" / "prometheus", database_url=DATABASE_URL)
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("PETROSA_WORKER_HEARTBEAT_SECONDS", "10"))
# A worker serves its own processes' counters on this port (0: off; the images set 9808).
WORKER_METRICS_PORT = int(os.environ.get("PETROSA_WORKER_METRICS_PORT", "0"))
# The exchange component of /health: the adapter's ping, named here because petrosa.core may not import it.
PETROSA_EXCHANGE_HEALTH_CHECK = "execution_app.api.status.exchange_health"
