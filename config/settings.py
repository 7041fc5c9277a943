"""Settings for Linkage, read from the environment.

The defaults are the embedded mode a newcomer gets from ``make run``: SQLite,
an in-memory channel layer and Celery tasks run in-process. Production is the
same code with environment variables (see ``.env.example``); with
``DJANGO_DEBUG=0`` the settings refuse to start without a real secret key.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
_DEV_SECRET = "embedded-mode-only-not-a-secret"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
# `make run` keeps a key generated once in a file (mode 600), so sessions survive restarts.
_SECRET_KEY_FILE = env.str("DJANGO_SECRET_KEY_FILE", default="")
if not SECRET_KEY and _SECRET_KEY_FILE:
    try:
        SECRET_KEY = Path(_SECRET_KEY_FILE).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"DJANGO_SECRET_KEY_FILE cannot be read: {exc}") from exc
if not SECRET_KEY and DEBUG:
    SECRET_KEY = _DEV_SECRET
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be set to 50+ random characters when DEBUG is off"
    )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "core.apps.PlatformAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "guardian",
    "simple_history",
    "channels",
    "core",
    "forces",
    "earlywarning",
    "command",
    "response",
    "dispatch",
    "duty",
    "drills",
    "support",
    "hall",
    "notify",
    "sync",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.RefusalAuditMiddleware",  # a signed-in user's 403/404 is audited
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.SecondFactorMiddleware",
    "core.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DatabaseBusyMiddleware",  # a page without a database answers 503
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into its page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
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
                "core.context_processors.platform",
                "notify.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for the writer instead of failing at once: the embedded mode serves
    # HTTP, WebSockets and in-process tasks from one file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # A transaction that reads first and writes later cannot wait for the lock (SQLite
    # answers "database is locked" at once to avoid a deadlock): take the write lock at
    # BEGIN, so every writer queues for up to the timeout instead. WAL lets readers (the
    # pages, the live feed) go on while one writes.
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # psycopg's connection pool (Django 5.1+): each server process keeps at most
    # DATABASE_POOL_MAX_SIZE connections, shared by its threads, instead of one per thread.
    _pool_max = env.int("DATABASE_POOL_MAX_SIZE", default=0)
    if _pool_max:
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps them, not Django
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": _pool_max,
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
        }
    # Read-only report queries on a replica (core.replica), when one is named.
    _replica_url = env.str("DATABASE_REPLICA_URL", default="")
    if _replica_url:
        DATABASES["replica"] = {
            **env.db_url_config(_replica_url),
            "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"MIRROR": "default"},
        }
        if "pool" in DATABASES["default"].get("OPTIONS", {}):
            DATABASES["replica"].setdefault("OPTIONS", {})["pool"] = dict(
                DATABASES["default"]["OPTIONS"]["pool"]
            )
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "core.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "core.passwords.PasswordHistoryValidator", "OPTIONS": {"keep": 5}},
]
# 等保 2.0 level 3: a password older than this many days must be changed before the pages
# can be used again (0: never expires); a warning shows this many days before.
PASSWORD_MAX_AGE_DAYS = env.int("PASSWORD_MAX_AGE_DAYS", default=90)
PASSWORD_EXPIRY_WARNING_DAYS = 7

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# 等保 2.0: a session ends after this much inactivity (every request, including a page's
# own polling, renews it: SESSION_SAVE_EVERY_REQUEST below).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=30) * 60
# The command-hall wall display (role screen) is watched, not touched.
SCREEN_SESSION_HOURS = env.int("SCREEN_SESSION_HOURS", default=24)

# API tokens: people's expire after API_TOKEN_HOURS; the provincial sync client's after
# SYNC_TOKEN_DAYS, rotated before that (the old one lives SYNC_TOKEN_OVERLAP_HOURS more).
API_TOKEN_HOURS = env.int("API_TOKEN_HOURS", default=12)
SYNC_TOKEN_DAYS = env.int("SYNC_TOKEN_DAYS", default=90)
SYNC_TOKEN_OVERLAP_HOURS = env.int("SYNC_TOKEN_OVERLAP_HOURS", default=24)
# Outbound push to subscribers (sync.pusher): changes per POST (1-1000) and the HTTP
# timeout in seconds.
SYNC_PUSH_BATCH = env.int("SYNC_PUSH_BATCH", default=100)
SYNC_PUSH_TIMEOUT = env.float("SYNC_PUSH_TIMEOUT", default=10.0)
# Rescuer welfare (support.welfare): days before an accident-insurance policy lapses that
# its force is reminded.
SUPPORT_INSURANCE_WARNING_DAYS = env.int("SUPPORT_INSURANCE_WARNING_DAYS", default=30)

# Second factor (TOTP, django-otp) for these roles, and for superusers whenever the list
# is not empty. The embedded demo (DEBUG) leaves it off and says so on the login page.
OTP_REQUIRED_ROLES = env.list(
    "OTP_REQUIRED_ROLES", default=[] if DEBUG else ["administrator", "bureau_approver"]
)
OTP_TOTP_ISSUER = "Linkage"
# Wrong codes in one login before the half-finished login is dropped.
OTP_FAILURE_LIMIT = 5

# Login lockout (等保 2.0 level 3), django-axes: after LOGIN_FAILURE_LIMIT wrong passwords
# for one account from one address, that account is locked at that address for
# LOGIN_LOCKOUT_MINUTES (pages and the API token endpoint alike; HTTP 429). Locking the
# pair, not the account everywhere: a duty officer must never be locked out at 3 a.m.
# by someone guessing from another machine. Every login is kept in axes' access log.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "core.views.lockout_response"  # JSON under /api/, else a page
# Behind nginx: how many proxies add X-Forwarded-For (0: use the socket's address).
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)
# django-ipware is not installed, so axes would ignore the two settings above: this
# callable applies TRUSTED_PROXY_COUNT for lockouts and the audit trail alike.
AXES_CLIENT_IP_CALLABLE = "core.audit.proxy_aware_address"
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads (census workbooks) are checked for size before parsing.
CENSUS_UPLOAD_MAX_BYTES = env.int("CENSUS_UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
# Drill attachments (photos, documents): checked for size and type before saving.
DRILL_ATTACHMENT_MAX_BYTES = env.int("DRILL_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


def _sentinel_address(entry: str) -> tuple[str, int]:
    host, colon, port = entry.strip().rpartition(":")
    return (host, int(port)) if colon else (entry.strip(), 26379)


# One Redis (or a managed one: rediss://:password@host:6380/0) ...
REDIS_URL = env.str("REDIS_URL", default="")
# ... or Redis Sentinel: the channel layer, the cache and Celery ask the sentinels which
# server is the master of REDIS_SENTINEL_MASTER and follow a failover; REDIS_URL is unused.
REDIS_SENTINELS = [_sentinel_address(e) for e in env.list("REDIS_SENTINELS", default=[])]
REDIS_SENTINEL_MASTER = env.str("REDIS_SENTINEL_MASTER", default="mymaster")
REDIS_SENTINEL_PASSWORD = env.str("REDIS_SENTINEL_PASSWORD", default="")
REDIS_PASSWORD = env.str("REDIS_PASSWORD", default="")
REDIS_DB = env.int("REDIS_DB", default=0)
USE_REDIS = bool(REDIS_URL or REDIS_SENTINELS)

# The sentinels' own password, when they ask for one (sentinel.conf requirepass).
_sentinel_kwargs = {"password": REDIS_SENTINEL_PASSWORD} if REDIS_SENTINEL_PASSWORD else None
if REDIS_SENTINELS:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            # The host part names the master group; the sentinels say where it is. Reads
            # go to the master too (not django_redis' SentinelClient, which reads from
            # replicas): a replica may not have a write made a moment ago, such as a
            # login throttle's count.
            "LOCATION": f"redis://{REDIS_SENTINEL_MASTER}/{REDIS_DB}",
            "OPTIONS": {
                "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
                "SENTINELS": REDIS_SENTINELS,
                "SENTINEL_KWARGS": _sentinel_kwargs,
                "PASSWORD": REDIS_PASSWORD or None,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }
    _layer_host: dict = {
        "sentinels": REDIS_SENTINELS,
        "master_name": REDIS_SENTINEL_MASTER,
        "sentinel_kwargs": _sentinel_kwargs,
        "db": REDIS_DB,
        "password": REDIS_PASSWORD or None,
        "socket_timeout": 15,
    }
elif REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True},
        }
    }
    _layer_host = {"address": REDIS_URL, "socket_timeout": 15}
if USE_REDIS:
    # Redis pub/sub: a group_send is one PUBLISH, a receipt one pushed message. The live
    # feed only sends doorbells (at most once is enough: clients resume from core.Event),
    # so the list-and-Lua machinery of channels_redis.core buys nothing here.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [_layer_host]},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _sentinel_broker_url() -> str:
    """kombu's form: one sentinel:// address per sentinel, separated by ";"; the password
    in it is the master's."""
    from urllib.parse import quote

    auth = f":{quote(REDIS_PASSWORD, safe='')}@" if REDIS_PASSWORD else ""
    return ";".join(f"sentinel://{auth}{host}:{port}/{REDIS_DB}" for host, port in REDIS_SENTINELS)


# Empty (as .env.example leaves it) means "the Redis above", not Celery's own default.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or (
    _sentinel_broker_url() if REDIS_SENTINELS else (REDIS_URL or "memory://")
)
if CELERY_BROKER_URL.startswith("sentinel://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"master_name": REDIS_SENTINEL_MASTER}
    if _sentinel_kwargs:
        CELERY_BROKER_TRANSPORT_OPTIONS["sentinel_kwargs"] = _sentinel_kwargs
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not USE_REDIS)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE

# Notification gateways (issue 10), used when a channel's NOTIFY_*_BACKEND names them.
# The generic signed HTTP gateway (notify.backends.http.HttpGatewayBackend): base URL,
# shared HMAC secret (prefer the file), seconds per request, messages per POST, and the
# callback address it posts receipts and replies to (default: under NOTIFY_PUBLIC_URL).
NOTIFY_GATEWAY_URL = env.str("NOTIFY_GATEWAY_URL", default="")
NOTIFY_GATEWAY_SECRET = env.str("NOTIFY_GATEWAY_SECRET", default="")
NOTIFY_GATEWAY_SECRET_FILE = env.str("NOTIFY_GATEWAY_SECRET_FILE", default="")
NOTIFY_GATEWAY_TIMEOUT = env.float("NOTIFY_GATEWAY_TIMEOUT", default=10.0)
NOTIFY_GATEWAY_BATCH = env.int("NOTIFY_GATEWAY_BATCH", default=100)
NOTIFY_GATEWAY_CALLBACK_URL = env.str("NOTIFY_GATEWAY_CALLBACK_URL", default="")
# Alibaba Cloud SMS (notify.backends.aliyun.AliyunSmsBackend) and Tencent Cloud SMS
# (notify.backends.tencent.TencentSmsBackend) send by approved template: see README.
NOTIFY_ALIYUN_ACCESS_KEY_ID = env.str("NOTIFY_ALIYUN_ACCESS_KEY_ID", default="")
NOTIFY_ALIYUN_ACCESS_KEY_SECRET = env.str("NOTIFY_ALIYUN_ACCESS_KEY_SECRET", default="")
NOTIFY_ALIYUN_ENDPOINT = env.str("NOTIFY_ALIYUN_ENDPOINT", default="dysmsapi.aliyuncs.com")
NOTIFY_ALIYUN_REGION = env.str("NOTIFY_ALIYUN_REGION", default="cn-hangzhou")
NOTIFY_ALIYUN_SIGN_NAME = env.str("NOTIFY_ALIYUN_SIGN_NAME", default="")
NOTIFY_ALIYUN_TEMPLATE_CODE = env.str("NOTIFY_ALIYUN_TEMPLATE_CODE", default="")
NOTIFY_ALIYUN_ANSWER_TEMPLATE_CODE = env.str("NOTIFY_ALIYUN_ANSWER_TEMPLATE_CODE", default="")
NOTIFY_TENCENT_SECRET_ID = env.str("NOTIFY_TENCENT_SECRET_ID", default="")
NOTIFY_TENCENT_SECRET_KEY = env.str("NOTIFY_TENCENT_SECRET_KEY", default="")
NOTIFY_TENCENT_ENDPOINT = env.str("NOTIFY_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com")
NOTIFY_TENCENT_REGION = env.str("NOTIFY_TENCENT_REGION", default="ap-guangzhou")
NOTIFY_TENCENT_SDK_APP_ID = env.str("NOTIFY_TENCENT_SDK_APP_ID", default="")
NOTIFY_TENCENT_SIGN_NAME = env.str("NOTIFY_TENCENT_SIGN_NAME", default="")
NOTIFY_TENCENT_TEMPLATE_ID = env.str("NOTIFY_TENCENT_TEMPLATE_ID", default="")
NOTIFY_TENCENT_ANSWER_TEMPLATE_ID = env.str("NOTIFY_TENCENT_ANSWER_TEMPLATE_ID", default="")
# Longest text a template variable may carry (the services' limit; longer is shortened).
NOTIFY_SMS_PARAM_LIMIT = env.int("NOTIFY_SMS_PARAM_LIMIT", default=35)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "core.api.authentication.SignedRequestAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",
        "core.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": "20/min"},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Linkage API",
    "DESCRIPTION": "联调联战指挥平台 REST API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every refusal documented with its body, dates with their window (core/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.add_error_component",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CompensationCostCategoryEnum": "support.choices.CostCategory",
        "LinkageTierEnum": "core.choices.LinkageTier",
        "IncidentStatusEnum": "command.choices.IncidentStatus",
        "IncidentLevelEnum": "command.choices.IncidentLevel",
        "PlanStatusEnum": "dispatch.choices.PlanStatus",
        "OrderStatusEnum": "dispatch.choices.OrderStatus",
        "ForceStatusEnum": "forces.choices.ForceStatus",
        "ReinforcementStatusEnum": "dispatch.choices.ReinforcementStatus",
        "NoticeStatusEnum": "dispatch.choices.NoticeStatus",
        "ForceCategoryEnum": "forces.choices.ForceCategory",
        "WelfareHealthRecordKindEnum": "support.choices.HealthRecordKind",
        "WelfareCasualtyKindEnum": "support.choices.CasualtyKind",
        "WelfareCommendationLevelEnum": "support.choices.CommendationLevel",
        "ContingencyPlanKindEnum": "drills.choices.PlanKind",
        "DisasterTypeEnum": "forces.choices.DisasterType",
        "RollCallOutcomeEnum": "duty.models.rollcall.RollCallOutcome",
        "RollCallStatusEnum": "duty.models.rollcall.RollCallStatus",
        "ResponderChannelEnum": "notify.choices.ResponderChannel",
        "SpecialPeriodKindEnum": "dispatch.choices.SpecialPeriodKind",
        "WarningLevelEnum": "earlywarning.choices.WarningLevel",
        "WarningStatusEnum": "earlywarning.choices.WarningStatus",
        "WarningSourceEnum": "earlywarning.choices.WarningSource",
        "IncidentSourceEnum": "command.choices.IncidentSource",
        "RecipientStateEnum": "earlywarning.choices.RecipientState",
        "ResponseHazardEnum": "response.choices.ResponseHazard",
        "ResponseLevelEnum": "response.choices.ResponseLevel",
        "ResponseStatusEnum": "response.choices.ActivationStatus",
        "InstructionStatusEnum": "response.choices.InstructionStatus",
        "ResponseStepKindEnum": "response.choices.StepKind",
        "PassageKindEnum": "support.choices.PassageKind",
        "PassageStatusEnum": "support.choices.PassageStatus",
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Official fonts (e.g. 仿宋_GB2312) for printed orders; Noto CJK is the fallback.
PDF_FONT_DIR = env.str("PDF_FONT_DIR", default="") or None

# Vehicle passes (support, passage): the longest validity a pass may be issued for, and
# the address printed in its QR code (the one checkpoints' phones reach; empty: the host
# the pass was printed from).
SUPPORT_PASS_MAX_DAYS = env.int("SUPPORT_PASS_MAX_DAYS", default=7)
SUPPORT_PASS_BASE_URL = env.str("SUPPORT_PASS_BASE_URL", default="").rstrip("/")

# Notifications (issue 10): one backend per channel, chosen like Django's EMAIL_BACKEND.
# The simulator is the embedded SMS/voice gateway (its outbox page shows what was sent).
NOTIFY_SMS_BACKEND = env.str(
    "NOTIFY_SMS_BACKEND", default="notify.backends.simulator.SimulatorBackend"
)
NOTIFY_VOICE_BACKEND = env.str(
    "NOTIFY_VOICE_BACKEND", default="notify.backends.simulator.SimulatorBackend"
)
NOTIFY_EMAIL_BACKEND = env.str("NOTIFY_EMAIL_BACKEND", default="notify.backends.email.EmailBackend")
NOTIFY_BACKENDS = {
    "in_app": "notify.backends.inapp.InAppBackend",
    "sms": NOTIFY_SMS_BACKEND,
    "voice": NOTIFY_VOICE_BACKEND,
    "email": NOTIFY_EMAIL_BACKEND,
}
# Base of the one-time links in SMS (the address phones reach the platform at).
NOTIFY_PUBLIC_URL = env.str("NOTIFY_PUBLIC_URL", default="http://127.0.0.1:8000").rstrip("/")
# Hand-overs of one message before it counts as failed (backoff 30 s, doubling, ≤ 1 h).
NOTIFY_MAX_ATTEMPTS = env.int("NOTIFY_MAX_ATTEMPTS", default=8)

# Warnings (issue 12): the CAP <sender> of every warning this platform issues (an
# address that names the platform, stable once warnings have been exported).
WARNING_CAP_SENDER = env.str("WARNING_CAP_SENDER", default="linkage@localhost")
# Hours a notification (and its reply code and link) stays answerable by default.
NOTIFY_LINK_HOURS = env.int("NOTIFY_LINK_HOURS", default=24)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="linkage@localhost")

# Map tiles (e.g. Tianditu). Empty: screens draw the county outline only.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")

# Response headers, debug or not (SecurityMiddleware, XFrameOptionsMiddleware, core.headers).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No page uses a camera, microphone, location (the map is the county's, not the user's),
# payment or USB; and nothing embedded may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}


def _tile_source(url_template: str) -> list[str]:
    """The CSP source of the map tiles: ``https://t{s}.tianditu.gov.cn/...`` gives
    ``https://*.tianditu.gov.cn`` (Leaflet fills ``{s}`` with a subdomain)."""
    from urllib.parse import urlsplit

    if not url_template:
        return []
    parts = urlsplit(url_template)
    labels = parts.netloc.split(".")
    templated = [i for i, label in enumerate(labels) if "{" in label]
    host = "*." + ".".join(labels[templated[-1] + 1 :]) if templated else parts.netloc
    return [f"{parts.scheme}://{host}"]


# Content-Security-Policy (django-csp 4): no inline script anywhere (behaviour lives in
# static/js, data for scripts in json_script blocks). Style *attributes* are allowed
# because ECharts builds its tooltips as HTML with style="..." and progress bars carry
# computed widths; <style> elements are not (htmx's indicator style is in linkage.css).
# 'self' in connect-src covers the live feed's ws:/wss: on the same host (CSP level 3).
# The API docs pages relax script/style for themselves only (config/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_source(MAP_TILE_URL)],
        "connect-src": ["'self'"],
        "font-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # `make run` turns these off: it serves plain HTTP on the loopback address.
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One line per task is the worker's business; in-process (eager) runs stay quiet.
        "celery.app.trace": {"level": "WARNING" if not USE_REDIS else "INFO"},
    },
}

SEED_DEMO_PASSWORD = env.str("SEED_DEMO_PASSWORD", default="")
