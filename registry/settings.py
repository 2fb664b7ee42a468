"""Settings, read from the environment (twelve-factor).

Every value has a safe default: DEBUG is off unless asked, the database is an SQLite file in
``var/`` so that a clone runs without a server, and production mode (``DJANGO_ENV=production``)
refuses to start without a real ``SECRET_KEY`` and ``ALLOWED_HOSTS``. ``.env.example`` documents
each variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.security import tile_sources

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV doit valoir 'development' ou 'production'.")
IS_PRODUCTION = DJANGO_ENV == "production"

DEBUG = env.bool("DEBUG", default=False)
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG ne peut pas être activé en production.")

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="" if IS_PRODUCTION else _DEV_SECRET_KEY)
if IS_PRODUCTION and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY est obligatoire en production.")

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]"]
)
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS est obligatoire en production.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "django_countries",
    "simple_history",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "core",
    "territories",
    "structures",
    "smes",
    "insights",
    "demo",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so that static files carry the headers too (an SVG opened on its own is
    # a document).
    "csp.middleware.CSPMiddleware",
    "core.middleware.BrowsableAPIStylesMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: anonymous safe requests read a replica (only with
    # DATABASE_REPLICA_URLS; otherwise it does nothing).
    "core.db_router.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a lockout flagged during authentication into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registry.urls"
WSGI_APPLICATION = "registry.wsgi.application"
ASGI_APPLICATION = "registry.asgi.application"

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

# --- Database ---------------------------------------------------------------------------------
# SQLite is the embedded default; production runs PostgreSQL through psycopg 3. Every query of
# the core must behave the same on both (no PostgreSQL-only lookups).
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL and a busy timeout let gunicorn workers read while another writes.
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "POSTGRES_JIT", default=False
):
    # PostgreSQL's JIT compiles any query the planner costs high — 0.35 s of compiling for the
    # 4 D's per-place counts, which run in 0.04 s — and never pays back on this application's
    # short queries. POSTGRES_JIT=true restores the server's setting.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
# Persistent connections on both backends: reopening SQLite per request also drops its page
# cache (measured: relay p50 over HTTP 11.4 → 8.6 ms).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# The relay lookup's raw SQL prepared on PostgreSQL (core.prepared): set to false behind a pooler
# in transaction mode that does not follow prepared statements (PgBouncer before 1.21).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", default=True)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Read replicas (docs/scaling.md, core/db_router.py): PostgreSQL streaming replicas of the
# primary, comma-separated URLs, as aliases replica_0, replica_1... Anonymous reads go to them;
# writes, staff and a writer's next DATABASE_READ_YOUR_WRITES_SECONDS go to the primary.
# Unset (the default): one database, no router, nothing changes.
_REPLICA_URLS = env.list("DATABASE_REPLICA_URLS", default=[])
DATABASE_READ_REPLICAS: list[str] = []
if _REPLICA_URLS and DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URLS demande PostgreSQL (DATABASE_URL postgres://…) : "
        "les réplicas sont des réplicas en flux de PostgreSQL."
    )
for _index, _url in enumerate(_REPLICA_URLS):
    _replica = environ.Env.db_url_config(_url)
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URLS : l'URL n° {_index + 1} n'est pas une URL postgres://."
        )
    _replica_options = _replica.setdefault("OPTIONS", {})
    # The primary's session options (JIT off) apply to the same queries on a replica.
    if "options" in DATABASES["default"].get("OPTIONS", {}):
        _replica_options.setdefault("options", DATABASES["default"]["OPTIONS"]["options"])
    # A replica host that is down (no refusal, no answer) costs a request this long at most,
    # then it is set aside for DATABASE_REPLICA_RETRY_SECONDS.
    _replica_options.setdefault(
        "connect_timeout", env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2)
    )
    _replica["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    _replica["CONN_HEALTH_CHECKS"] = True
    # Under the test runner a replica is the test database itself, never a second one.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_index}"] = _replica
    DATABASE_READ_REPLICAS.append(f"replica_{_index}")
# Only with replicas: a router is asked about every query.
DATABASE_ROUTERS = ["core.db_router.PrimaryReplicaRouter"] if DATABASE_READ_REPLICAS else []
# After a request that wrote, its client reads the primary for this many seconds (a signed
# cookie): longer than the replicas' usual lag. 0: no such window.
DATABASE_READ_YOUR_WRITES_SECONDS = env.int("DATABASE_READ_YOUR_WRITES_SECONDS", default=10)
# A replica that refused a connection is not tried again, in that process, for this long.
DATABASE_REPLICA_RETRY_SECONDS = env.int("DATABASE_REPLICA_RETRY_SECONDS", default=30)
if DATABASE_READ_YOUR_WRITES_SECONDS < 0 or DATABASE_REPLICA_RETRY_SECONDS < 1:
    raise ImproperlyConfigured(
        "DATABASE_READ_YOUR_WRITES_SECONDS doit être ≥ 0 et DATABASE_REPLICA_RETRY_SECONDS ≥ 1."
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at every request when it is missing
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Outside production, whitenoise serves files straight from the finders (no collectstatic).
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -----------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Reverse proxies in front of the application that append to X-Forwarded-For (0: none, the peer
# address is the client's). Used for the API throttles and the login lockout alike; never trust
# more hops than there are proxies, or a client picks its own address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Content-Security-Policy (django-csp 4). Every script and style sheet is a file served by the
# application: no inline script, no inline style, no eval. Map tiles are the one outside source
# (MAP_TILE_URL, below). The API documentation pages widen this for themselves only
# (registry/api_urls.py).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the small images inlined in style sheets (Leaflet, Swagger UI).
        "img-src": [SELF, "data:", *tile_sources(MAP_TILE_URL)],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features no page uses, refused to the page and to anything it embeds.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

# --- Login protection (django-axes) ------------------------------------------------------------
# Both login pages (/admin/login/ and /connexion/) authenticate through django.contrib.auth, so
# axes counts their failures. An account is locked from one address after AXES_FAILURE_LIMIT
# failures; an address is locked for every account after AXES_IP_FAILURE_LIMIT failures (a
# password spray). Either lock lifts AXES_COOLOFF_MINUTES after the last failed attempt, or when
# a registry administrator deletes the attempt in the admin. API tokens are not passwords: they
# never go through this.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
if not 0 < AXES_FAILURE_LIMIT <= AXES_IP_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "AXES_FAILURE_LIMIT doit être positif et au plus égal à AXES_IP_FAILURE_LIMIT."
    )
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "core.login_lockout.TwoLevelLockoutHandler"
AXES_LOCKOUT_CALLABLE = "core.login_lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.login_lockout.client_ip_address"
AXES_RESET_ON_SUCCESS = True
# Shown on the lockout page: whom to ask for an earlier unlock (empty: "the administrator").
LOGIN_LOCKOUT_CONTACT = env.str("LOGIN_LOCKOUT_CONTACT", default="")
if IS_PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The health check is probed over plain HTTP from inside the container network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- REST API -----------------------------------------------------------------------------------
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)
# Demo listings in the open-data files (/api/v1/opendata/): unset = only on a demo install (not
# production and no real published structure); true = always, marked is_demo; false = never.
OPEN_DATA_INCLUDE_DEMO = env.bool("OPEN_DATA_INCLUDE_DEMO", default=None)
# Request bodies of the API (core.api.parsers): a structure with all its coverage fits in a few
# kilobytes; a JSON body deeper than this is refused (400) before it can exhaust the stack.
API_MAX_BODY_SIZE = env.int("API_MAX_BODY_SIZE", default=1024 * 1024)
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.BoundedPageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.ContractFilterBackend"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.BoundedJSONParser",
        "core.api.parsers.BoundedFormParser",
        "core.api.parsers.BoundedMultiPartParser",
    ],
    # Agencies send "Authorization: Token <key>" (structures.models.ApiToken, managed in the admin);
    # the session serves the browsable API. The token comes first so that an anonymous write
    # gets a 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "structures.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "core.api.exceptions.json_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # The client address of the throttles: the peer, or X-Forwarded-For behind trusted proxies.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANON_THROTTLE", default="120/minute"),
        "user": env.str("API_USER_THROTTLE", default="3000/minute"),
        # The coverage report, per caller (user or address): see web/api/coverage.py.
        "coverage": env.str("API_COVERAGE_THROTTLE", default="30/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Registre des structures de proximité à vocation internationale — API",
    # The documentation's introduction (authentication, scopes, throttles, pagination,
    # formats, errors), in Markdown.
    "DESCRIPTION": (BASE_DIR / "docs" / "api-introduction.md").read_text(encoding="utf-8"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StructureKindEnum": "structures.enums.StructureKind.choices",
        "ContactKindEnum": "structures.enums.ContactKind.choices",
        "SectorKindEnum": "structures.enums.SectorKind.choices",
        "GeocodingPrecisionEnum": "structures.enums.GeocodingPrecision.choices",
        "TerritoryCoordinatePrecisionEnum": "territories.enums.CoordinatePrecision.choices",
        "PendingChangeStatusEnum": "structures.enums.PendingChangeStatus.choices",
        "ProgrammeLevelEnum": "structures.enums.ProgrammeLevel.choices",
        "TerritoryLevelEnum": "territories.enums.TerritoryLevel.choices",
        # Markets and links share these choices; the name they had before the moderation status.
        "StatusEnum": "structures.enums.MarketStatus.choices",
    },
    "TAGS": [
        {"name": "api", "description": "Racine : points d'entrée et documentation."},
        {"name": "relais", "description": "Le relais compétent le plus proche, expliqué."},
        {"name": "structures", "description": "Structures d'appui à l'export."},
        {"name": "offres", "description": "Offres de service des structures."},
        {"name": "contacts", "description": "Personnes et guichets à appeler."},
        {"name": "pme", "description": "PME (accès restreint, par jeton d'agence)."},
        {"name": "référentiels", "description": "Services, secteurs, pays."},
        {
            "name": "dispositifs",
            "description": "Dispositifs nationaux, européens, régionaux et leurs portes "
            "d'entrée locales.",
        },
        {"name": "territoires", "description": "Communes, EPCI, départements, régions, pays."},
        {"name": "données ouvertes", "description": "Exports sous Licence Ouverte 2.0."},
    ],
}

# --- SIRENE (API Recherche d'entreprises, smes/sirene.py) ------------------------------------------
# A SIRET the registry does not hold is looked up there for its commune and NAF code. Empty URL:
# no call (such a SIRET is an error asking for the commune). The timeout bounds the wait of a
# search page: at most 2 seconds.
SIRENE_API_URL = env.str("SIRENE_API_URL", default="https://recherche-entreprises.api.gouv.fr")
SIRENE_API_TIMEOUT = env.float("SIRENE_API_TIMEOUT", default=2.0)
if not 0 < SIRENE_API_TIMEOUT <= 2:
    raise ImproperlyConfigured(
        "SIRENE_API_TIMEOUT doit être compris entre 0 (exclu) et 2 secondes."
    )
# Answers ("not found" included, never a failure) are kept this long, per SIRET.
SIRENE_CACHE_SECONDS = env.int("SIRENE_CACHE_SECONDS", default=24 * 60 * 60)
# Coverage reports are reused while the relay index of their service is unchanged (a stamp in
# the key); the timeout only bounds how long an unused one takes memory.
COVERAGE_CACHE_SECONDS = env.int("COVERAGE_CACHE_SECONDS", default=24 * 60 * 60)

# Caches: Redis when REDIS_URL is set, so that every gunicorn worker (and every container) shares
# the API throttles and the SIRENE answers; process memory otherwise (`make run` needs no Redis).
# Each cache has its own key prefix, and clearing one deletes its keys only (core.cache).
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="registry")
if REDIS_URL:
    _REDIS_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
    CACHES = {
        "default": {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:default",
            "OPTIONS": _REDIS_OPTIONS,
        },
        "sirene": {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:sirene",
            "TIMEOUT": SIRENE_CACHE_SECONDS,
            "OPTIONS": _REDIS_OPTIONS,
        },
        "coverage": {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:coverage",
            "TIMEOUT": COVERAGE_CACHE_SECONDS,
            "OPTIONS": _REDIS_OPTIONS,
        },
        # Version tokens of the reference tables (core.reference_cache): kept until replaced.
        "reference": {
            "BACKEND": "core.cache.PrefixedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:reference",
            "TIMEOUT": None,
            "OPTIONS": _REDIS_OPTIONS,
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        # Its own cache, so that clearing the throttles' does not drop SIRENE answers (and back).
        "sirene": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "sirene",
            "TIMEOUT": SIRENE_CACHE_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": 20_000},
        },
        # Coverage reports, stamped with the relay index they were computed from.
        "coverage": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "coverage",
            "TIMEOUT": COVERAGE_CACHE_SECONDS,
            "OPTIONS": {"MAX_ENTRIES": 500},
        },
        # This process's only: a change is seen at once by the process that made it, by the
        # others after REFERENCE_CACHE_MAX_AGE_SECONDS.
        "reference": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "reference",
            "TIMEOUT": None,
        },
    }

# Reference tables the relay lookup reads on every call (services, countries, sectors) are copied
# in each process and checked against version tokens in the "reference" cache (core.reference_cache):
# at each request's first read, and outside requests (commands, tasks) at most once per grace
# period. A copy is reloaded after the maximum age whatever the tokens say (writes the ORM does not
# see, a cache that does not answer, several processes without Redis).
REFERENCE_CACHE_GRACE_SECONDS = env.float("REFERENCE_CACHE_GRACE_SECONDS", default=1.0)
REFERENCE_CACHE_MAX_AGE_SECONDS = env.float("REFERENCE_CACHE_MAX_AGE_SECONDS", default=300.0)

# --- Jobs off the request (Celery, registry/celery.py, core/tasks.py) ---------------------------
# E-mails (and other slow work) go to a queue on Redis, run by `celery -A registry worker`, once
# the transaction that decided them has committed (core.mail.send_after_commit). The broker is
# CELERY_BROKER_URL, else REDIS_URL; with neither (`make run`, the tests) tasks run in the calling
# process after the commit (eager mode), so that the project runs without Redis, and the broker is
# the in-process one (never Celery's default, an AMQP server on localhost).
_QUEUE_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL
CELERY_BROKER_URL = _QUEUE_URL or "memory://localhost/"
# CELERY_TASK_ALWAYS_EAGER forces or refuses it; empty (as in .env.example) is the default.
CELERY_TASK_ALWAYS_EAGER = (
    env.bool("CELERY_TASK_ALWAYS_EAGER")
    if env.str("CELERY_TASK_ALWAYS_EAGER", default="")
    else not _QUEUE_URL
)
# Eager tasks raise their errors where they are called (on_commit callbacks log them).
CELERY_TASK_EAGER_PROPAGATES = True
# No result is read back by the application; a backend only for those that want one (tests).
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="") or "registry"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged once done: a worker killed mid-task leaves it to another (tasks are
# written to be run twice safely). One message at a time per process: e-mails are slow, not many.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# visibility_timeout: longer than the longest retry delay (core.tasks), or Redis would hand a
# waiting task out twice. max_retries and the intervals: how long a request that queues a task
# waits for a broker that does not answer — twice more, within half a second, instead of kombu's
# default (retried for the connection timeout, 2 s apart: about 6 s with Redis refusing). The
# worker's own reconnection follows CELERY_BROKER_CONNECTION_MAX_RETRIES, not these.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 2,
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
# A request that queues a task while Redis is down waits about a second, not the default minutes
# (core.mail then sends in the request instead).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.3,
    "interval_max": 0.5,
}
# Coverage reports recomputed after a listing change commits (insights/jobs.py), so that the next
# reader finds them stored: "queued" (default) when tasks go to a worker, and not in eager mode,
# where the job would run in the request that saved (about 18 s per service on the demo set);
# "always" in eager mode too (tests); "never". A job starts this many seconds after it is queued,
# so that a burst of saves is computed once.
COVERAGE_PRECOMPUTE = env.str("COVERAGE_PRECOMPUTE", default="queued")
if COVERAGE_PRECOMPUTE not in ("queued", "always", "never"):
    raise ImproperlyConfigured("COVERAGE_PRECOMPUTE vaut queued, always ou never.")
COVERAGE_PRECOMPUTE_DELAY_SECONDS = env.int("COVERAGE_PRECOMPUTE_DELAY_SECONDS", default=10)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- Domain settings ----------------------------------------------------------------------------
# The territory reference vendored in territories/data (see territories/data/SOURCES.md).
TERRITORY_DATA_FILE = env.path(
    "TERRITORY_DATA_FILE", default=str(BASE_DIR / "territories" / "data" / "territories.json.gz")
)

# --- Relay lookup (structures/relay) --------------------------------------------------------------
# Beyond this distance a relay that does not cover the firm's commune is not offered as a
# fallback (rule R2: a horizon, never applied to competent relays).
RELAY_HORIZON_KM = env.float("RELAY_HORIZON_KM", default=100.0)
# Rule R8: the more a firm exports, the wider the territory it draws help from.
RELAY_HORIZON_FACTORS = {"none": 1.0, "occasional": 1.5, "regular": 2.0, "established": 3.0}
# Unmet searches (structures.unmet_searches): lookups that found no competent relay are counted
# per commune, service, target country and month; counts older than this many months (before
# the current one) are deleted by `manage.py purge_unmet_searches` (run it daily from cron).
UNMET_SEARCH_RETENTION_MONTHS = env.int("UNMET_SEARCH_RETENTION_MONTHS", default=24)

# Possible duplicates (structures/duplicates.py): two listings whose normalised names score at
# least this (rapidfuzz token_set_ratio, 0-100) within this distance, or share a phone or e-mail.
DUPLICATE_NAME_THRESHOLD = env.int("DUPLICATE_NAME_THRESHOLD", default=90)
DUPLICATE_RADIUS_KM = env.float("DUPLICATE_RADIUS_KM", default=5.0)
if UNMET_SEARCH_RETENTION_MONTHS < 1:
    raise ImproperlyConfigured("UNMET_SEARCH_RETENTION_MONTHS doit être un entier ≥ 1.")

# Corrections from the public ("Signaler une erreur", structures.corrections): at most this many
# reports per client address and listing within the window; beyond, a 429 page. The count lives
# in the shared cache (Redis when REDIS_URL is set) under a keyed hash of the address, never in
# the database.
CORRECTION_RATE_LIMIT = env.int("CORRECTION_RATE_LIMIT", default=5)
CORRECTION_RATE_WINDOW_SECONDS = env.int("CORRECTION_RATE_WINDOW_SECONDS", default=60 * 60)
if CORRECTION_RATE_LIMIT < 1 or CORRECTION_RATE_WINDOW_SECONDS < 1:
    raise ImproperlyConfigured(
        "CORRECTION_RATE_LIMIT et CORRECTION_RATE_WINDOW_SECONDS doivent être des entiers ≥ 1."
    )
# --- E-mail and the freshness loop (structures/freshness.py, send_freshness_reminders) ---------
# EMAIL_URL (django-environ syntax): smtp+tls://user:password@smtp.example.org:587 in production;
# default: the console backend (messages printed, nothing sent). The test runner switches to the
# local-memory backend by itself (pytest-django, like Django's own runner).
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
globals().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="registre@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The public address of the site, for the links of e-mails sent outside a request (reminders):
# https://registre.example.org. Required in production by send_freshness_reminders.
SITE_URL = env.str("SITE_URL", default="" if IS_PRODUCTION else "http://127.0.0.1:8000").rstrip("/")
# A listing is "à vérifier" (staff lists, API) this many months after its last confirmation (or
# its creation); public results say "informations à vérifier" after FRESHNESS_WARNING_MONTHS
# (it stays shown: rule R4); its staff are reminded after FRESHNESS_REMINDER_MONTHS.
FRESHNESS_REMINDER_MONTHS = env.int("FRESHNESS_REMINDER_MONTHS", default=11)
FRESHNESS_REVIEW_MONTHS = env.int("FRESHNESS_REVIEW_MONTHS", default=12)
FRESHNESS_WARNING_MONTHS = env.int("FRESHNESS_WARNING_MONTHS", default=18)
if not 0 < FRESHNESS_REMINDER_MONTHS <= FRESHNESS_REVIEW_MONTHS <= FRESHNESS_WARNING_MONTHS:
    raise ImproperlyConfigured(
        "Il faut 0 < FRESHNESS_REMINDER_MONTHS ≤ FRESHNESS_REVIEW_MONTHS ≤ FRESHNESS_WARNING_MONTHS."
    )
# A person is not reminded of the same listing again within this many days.
FRESHNESS_REMINDER_INTERVAL_DAYS = env.int("FRESHNESS_REMINDER_INTERVAL_DAYS", default=30)
# Days a one-click "toujours à jour" link stays valid.
FRESHNESS_LINK_MAX_AGE_DAYS = env.int("FRESHNESS_LINK_MAX_AGE_DAYS", default=30)

# --- Public site maps (Leaflet) ---------------------------------------------------------------------
# Tile server of the result and structure maps; empty: markers on a blank background. Pages stay
# usable when tiles cannot load (the map only repeats the list).
# MAP_TILE_URL is read with the security headers above: its origin is allowed in img-src.
MAP_TILE_ATTRIBUTION = env.str(
    "MAP_TILE_ATTRIBUTION",
    default='&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
)
