"""Django settings, read from the environment (see the "Settings" table in docs/deploying.md)."""

from __future__ import annotations

import hashlib
import ipaddress
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import plotly
from django.core.exceptions import ImproperlyConfigured

from . import __version__
from .env import env_bool, env_int, env_list, env_str
from .objectives_file import read_objectives_file

# What exports name as the version that made them (read through django.conf, so that the search
# domain never imports the project package).
GAWEB_VERSION = __version__

BASE_DIR = Path(__file__).resolve().parent.parent
# Everything gaweb writes at run time (SQLite database, secret key, logs, Redis files).
VAR_DIR = Path(env_str("GAWEB_VAR_DIR", str(BASE_DIR / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """From GAWEB_SECRET_KEY, or a key generated once into VAR_DIR, readable by its owner only."""
    key = env_str("GAWEB_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    key = secrets.token_urlsafe(50)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _database(url: str) -> dict:
    if url:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    else:
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "gaweb.sqlite3"}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server and workers read while one writes; IMMEDIATE transactions
        # take the write lock at BEGIN, so two writers queue (for up to `timeout` seconds)
        # instead of failing with "database is locked" in the middle of a transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["TEST"] = {"NAME": VAR_DIR / "test-gaweb.sqlite3"}
    return config


SECRET_KEY = _secret_key()
DEBUG = env_bool("GAWEB_DEBUG", False)
ALLOWED_HOSTS = env_list("GAWEB_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# Behind a reverse proxy that terminates TLS (see docs/deploying.md): secure cookies, HSTS,
# redirect to https. Off by default, because `up` serves plain HTTP on the loopback interface.
HTTPS = env_bool("GAWEB_HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("GAWEB_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("GAWEB_HSTS_INCLUDE_SUBDOMAINS", False)
    CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS if host and not host.startswith(".")]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    # Swagger UI's files for /api/docs/, served like plotly.js from an installed package (no CDN).
    "drf_spectacular_sidecar",
    "searches",
    "workers",
    "gaweb.runtime",
    "gaweb.tokens",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves static files (plotly.js from the installed plotly package among them) with
    # caching headers, without a separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A personal API token (Authorization: Bearer) on /api/: the token's user is the caller.
    "gaweb.tokens.middleware.TokenAuthenticationMiddleware",
    # Every page needs a signed-in user unless its view says otherwise (the sign-in page, the API).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it answers a locked-out sign-in (see "Sign-in throttling" below).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gaweb.urls"
WSGI_APPLICATION = "gaweb.wsgi.application"

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

DATABASES = {"default": _database(env_str("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"  # only for `collectstatic`; WhiteNoise serves from the finders
STATIC_ROOT.mkdir(exist_ok=True)
# plotly.js comes from the installed plotly package: no CDN, so offline machines and users
# behind firewalls get the same dashboard.
STATICFILES_DIRS = [("plotly", Path(plotly.__file__).parent / "package_data")]
WHITENOISE_USE_FINDERS = True  # serve straight from the apps and the plotly package, no collectstatic

CSRF_FAILURE_VIEW = "gaweb.csrf.csrf_failure"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "searches:list"
LOGOUT_REDIRECT_URL = "login"

# Sign-in throttling (django-axes): after GAWEB_SIGNIN_FAILURES failed sign-ins for one user name,
# or from one address, that name or address is locked out for GAWEB_SIGNIN_LOCKOUT_MINUTES. The
# answer is the same whether or not the account exists; staff unlock from the admin ("Access attempts").
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env_int("GAWEB_SIGNIN_FAILURES", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GAWEB_SIGNIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gaweb.signin.locked_out"
AXES_VERBOSE = False

# /metrics (Prometheus): readable from these addresses or networks, or with this bearer token.
GAWEB_METRICS_TOKEN = env_str("GAWEB_METRICS_TOKEN")
try:
    GAWEB_METRICS_ALLOWED = [
        ipaddress.ip_network(item, strict=False) for item in env_list("GAWEB_METRICS_ALLOWED", ["127.0.0.1", "::1"])
    ]
except ValueError as error:
    raise ImproperlyConfigured(f"GAWEB_METRICS_ALLOWED: {error} (addresses or networks, separated by commas)") from None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # propagate off: in a Celery worker the root logger prints too, and each line would show twice
    "loggers": {
        "gaweb": {"handlers": ["console"], "level": env_str("GAWEB_LOG_LEVEL", "WARNING"), "propagate": False},
        # Errors of work done after a commit (transaction.on_commit(robust=True)): Django logs them
        # here, where its defaults show nothing unless DEBUG is on.
        "django.db.backends.base": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

# --- Searches -----------------------------------------------------------------

# Folders under which `folder:<path>` datasets may live (separated by the OS path separator).
GAWEB_DATA_ROOTS = [
    Path(p).expanduser() for p in env_list("GAWEB_DATA_ROOTS", [str(VAR_DIR / "data")], separator=os.pathsep)
]
# The user's own objectives on this machine, for code that is not an installed package (packages
# name theirs in the `gaweb.objectives` entry-point group): "name=module:attribute", separated by commas.
GAWEB_OBJECTIVES = {}
for _item in env_list("GAWEB_OBJECTIVES", []):
    _name, _, _path = (part.strip() for part in _item.partition("="))
    if not _name or not _path:
        raise ImproperlyConfigured(f"GAWEB_OBJECTIVES: {_item!r} is not name=module:attribute")
    GAWEB_OBJECTIVES[_name] = _path
# The same, and training commands, from a TOML file (see gaweb/objectives_file.py).
GAWEB_OBJECTIVE_FILE_CODE: dict = {}
GAWEB_OBJECTIVE_COMMANDS: dict = {}
if env_str("GAWEB_OBJECTIVES_FILE"):
    # Absolute from here on, also for the workers and servers this process starts in other folders.
    os.environ["GAWEB_OBJECTIVES_FILE"] = str(Path(env_str("GAWEB_OBJECTIVES_FILE")).expanduser().resolve())
    GAWEB_OBJECTIVE_FILE_CODE, GAWEB_OBJECTIVE_COMMANDS = read_objectives_file(env_str("GAWEB_OBJECTIVES_FILE"))
# A local copy of CIFAR-10 (the python archive or its extracted folder), for machines offline.
GAWEB_CIFAR10_PATH = env_str("GAWEB_CIFAR10_PATH") or None
# The longest one entity may train; also bounds how long Redis waits before it re-delivers a job.
GAWEB_MAX_TRAINING_SECONDS = env_int("GAWEB_MAX_TRAINING_SECONDS", 6 * 3600, minimum=1)

# Keeping every entity accounted for (see docs/workers.md, "What gaweb survives"):
# a training worker refreshes its entity's heartbeat this often;
GAWEB_HEARTBEAT_SECONDS = env_int("GAWEB_HEARTBEAT_SECONDS", 30, minimum=1)
# a running entity whose heartbeat is older than this is queued again (its worker is gone);
GAWEB_STALE_AFTER_SECONDS = env_int("GAWEB_STALE_AFTER_SECONDS", 180, minimum=2)
# after this many attempts it is failed instead (it keeps killing its worker);
GAWEB_MAX_ATTEMPTS = env_int("GAWEB_MAX_ATTEMPTS", 3, minimum=1)
# a queued entity whose job is not in Redis after this long has its job sent again;
GAWEB_RESEND_AFTER_SECONDS = env_int("GAWEB_RESEND_AFTER_SECONDS", 60, minimum=1)
# and the worker supervisors (runworkers, up) check all this this often.
GAWEB_RECONCILE_SECONDS = env_int("GAWEB_RECONCILE_SECONDS", 30, minimum=1)

# The largest trained model kept from a final training (its .keras file, stored in the database).
GAWEB_MAX_MODEL_MB = env_int("GAWEB_MAX_MODEL_MB", 500, minimum=1)

# A worker's training process is replaced after a candidate that leaves it above this much
# resident memory: TensorFlow keeps some memory from every fit (several MB), which this bounds.
GAWEB_WORKER_MAX_MEMORY_MB = env_int("GAWEB_WORKER_MAX_MEMORY_MB", 8192, minimum=256)
# ... and so is one whose resident memory has grown by this many percent over what it held after
# its first candidates (workers/memory.py): memory stays flat over thousands of candidates. 0: off.
GAWEB_WORKER_MEMORY_GROWTH = env_int("GAWEB_WORKER_MEMORY_GROWTH", 15, minimum=0)

# --- Celery (read by gaweb/celery.py through the CELERY_ namespace) --------------

CELERY_BROKER_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")


def _queue_of(database: dict) -> str:
    """A queue of this installation's own, named after its database.

    Two gaweb installations that share a Redis (two checkouts on one machine, say) would
    otherwise take each other's jobs; machines that share one PostgreSQL share the queue.
    """
    if database["ENGINE"].endswith("sqlite3"):
        return "gaweb-" + hashlib.sha1(str(Path(database["NAME"]).resolve()).encode()).hexdigest()[:10]
    return f"gaweb-{database['NAME']}"


# --- Calls per API token (gaweb/tokens/middleware.py) -----------------------------

# At most this many calls per token, in django-ratelimit's notation: "600/m" (a minute), "20/s",
# "10000/h"; empty: no limit. Counted in Redis, so the limit is the system's, whichever web
# process or machine answers; when Redis cannot be reached, calls go through (and it is logged).
GAWEB_TOKEN_RATE = env_str("GAWEB_TOKEN_RATE", "600/m")
if GAWEB_TOKEN_RATE and not re.fullmatch(r"[1-9]\d*/([1-9]\d*)?[smhd]", GAWEB_TOKEN_RATE):
    raise ImproperlyConfigured(
        f"GAWEB_TOKEN_RATE={GAWEB_TOKEN_RATE!r}: calls per period, like 600/m, 20/s or 10000/h (empty: no limit)"
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": CELERY_BROKER_URL,
        "KEY_PREFIX": "gaweb-ratelimit",
        # A Redis that is down must not hold up an API call for long: the call goes through.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    },
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_FAIL_OPEN = True

CELERY_TASK_DEFAULT_QUEUE = env_str("GAWEB_QUEUE") or _queue_of(DATABASES["default"])
CELERY_TASK_IGNORE_RESULT = True
# Task events, so that Celery's own monitoring (Flower, `celery events`) sees every job: sent,
# received, started, succeeded or failed, and on which worker. A few small messages per candidate.
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
# A job is acknowledged only when it has finished, and comes back if its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One job at a time per worker: a GPU never holds a queued job that an idle GPU could run.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A new training process imports Keras (and initialises CUDA) before it reports for work:
# Celery's default of 4 s is shorter than that on a busy machine, and it would then kill
# every new process it starts, for ever.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 300
# Redis re-delivers an unacknowledged job after this long: it must outlast the longest training.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": GAWEB_MAX_TRAINING_SECONDS + 600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
