"""Settings shared by every mode. The only module that reads the environment.

With no environment set this is the embedded default: SQLite (WAL) under ``var/``,
Celery tasks run eagerly in-process, e-mail and SMS go to the console.
``DATABASE_URL`` switches to PostgreSQL, ``CELERY_BROKER_URL`` to a real broker.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# An insecure key is fine for the embedded default; prod.py refuses to start without a real one.
SECRET_KEY = (
    env.str("SECRET_KEY", default="") or "embedded-default-insecure-key-change-me-0123456789"
)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# Keys for personal data at rest. The first Fernet key encrypts; all of them decrypt (rotation).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or [
    "ZW1iZWRkZWQtZGVmYXVsdC1maWVsZC1rZXktMDAwMDA="
]
BLIND_INDEX_KEY = env.str("BLIND_INDEX_KEY", default="") or "embedded-default-blind-index-key"
# Fernet keys that encrypt the departments' certificate signing keys (first encrypts, all decrypt).
CERTIFICATE_MASTER_KEYS = env.list("CERTIFICATE_MASTER_KEYS", default=[]) or FIELD_ENCRYPTION_KEYS
# The applicant's open cases a certificate consent may name: certificates never imports services.
CERTIFICATE_CASE_CHOICES = "services.application_selectors.case_choices"
OIDC_PRIVATE_KEY = env.str("OIDC_PRIVATE_KEY", multiline=True, default="")
if not OIDC_PRIVATE_KEY and env.str("OIDC_PRIVATE_KEY_FILE", default=""):
    OIDC_PRIVATE_KEY = Path(env.str("OIDC_PRIVATE_KEY_FILE")).read_text()
if not OIDC_PRIVATE_KEY:
    # Embedded default: a signing key made once per checkout and kept under var/ (git-ignored).
    from portal.keys import embedded_oidc_private_key

    OIDC_PRIVATE_KEY = embedded_oidc_private_key(VAR_DIR / "oidc_private_key.pem")
    OIDC_PRIVATE_KEY_IS_EMBEDDED = True
else:
    OIDC_PRIVATE_KEY_IS_EMBEDDED = False

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.idp.oidc",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "portal",
    "services",
    "certificates",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.ChineseFirstLocaleMiddleware",
    "portal.middleware.UploadLimitMiddleware",
    "portal.middleware.NulRefusalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "portal.middleware.AuthenticationMiddleware",  # Django's, the user read as a fixed statement
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "portal.middleware.StaffMFAMiddleware",
    "portal.middleware.RefusalMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's, with the health check skipped for a connection that answered moments ago.
        DATABASES["default"]["ENGINE"] = "portal.db.postgresql"
    DATABASES["default"]["ATOMIC_REQUESTS"] = False
    # Django turns prepared statements off (transaction-mode poolers before PgBouncer 1.21
    # break on them); only portal.db.prepared_cursor uses them. Set false behind such a pooler.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5
else:
    (VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run beside one writer; IMMEDIATE avoids lock upgrades failing.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Seconds after a connection last answered during which the next request trusts it without
# a health check (portal/db/postgresql/base.py); 0 checks before every request.
DATABASE_HEALTH_CHECK_SKIP_WITHIN = env.float("DATABASE_HEALTH_CHECK_SKIP_WITHIN", default=0.5)

# --- Cache ----------------------------------------------------------------------------------
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The largest multipart body (all files of one request), refused before it is read; each
# material has its own, smaller limit.
UPLOAD_MAX_REQUEST_BYTES = env.int("UPLOAD_MAX_REQUEST_BYTES", default=60 * 1024 * 1024)

# Functions returning warnings for /healthz (portal/health.py).
HEALTH_WARNINGS = ["services.calendar.health_warnings"]

# Ratings (好差评, ADR 0013): a finished case not rated within these working days counts as
# satisfied (默认好评); bad ratings are answered within RECTIFICATION_DAYS working days (cities
# use 5, 10 or 15), a department may appeal a malicious one within RECTIFICATION_APPEAL_DAYS,
# and a complex case may be given a later deadline of at most RECTIFICATION_COMPLEX_MAX_DAYS.
EVALUATION_DEFAULT_DAYS = env.int("EVALUATION_DEFAULT_DAYS", default=5)
RECTIFICATION_DAYS = env.int("RECTIFICATION_DAYS", default=10)
RECTIFICATION_APPEAL_DAYS = env.int("RECTIFICATION_APPEAL_DAYS", default=5)
RECTIFICATION_COMPLEX_MAX_DAYS = env.int("RECTIFICATION_COMPLEX_MAX_DAYS", default=30)

# --- Celery ---------------------------------------------------------------------------------
BROKER_CONFIGURED = bool(env.str("CELERY_BROKER_URL", default=""))
# Embedded default: tasks run eagerly in-process; "memory://" keeps Celery from dialling AMQP
# (with its host named: kombu warns "No hostname was supplied" on every connection otherwise).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://localhost/"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = not BROKER_CONFIGURED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
# Never lose a task: acknowledge after the work is done, requeue if the worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
# Longer than the longest task, or Redis hands an unacknowledged task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "services.tasks.route_*": {"queue": "routing"},
    "services.tasks.notify_*": {"queue": "notify"},
    "portal.tasks.send_*": {"queue": "notify"},
    "certificates.tasks.render_*": {"queue": "pdf"},
    "certificates.tasks.*": {"queue": "certificates"},
}
CELERY_BEAT_SCHEDULE = {
    "certificates-expire-due": {
        "task": "certificates.tasks.expire_due",
        "schedule": crontab(hour=0, minute=5),
    },
    "services-route-unrouted": {"task": "services.tasks.route_unrouted", "schedule": 60.0},
    "services-notify-untold": {"task": "services.tasks.notify_untold", "schedule": 300.0},
    "services-sweep-material-files": {
        "task": "services.tasks.sweep_material_files",
        "schedule": crontab(hour=3, minute=40),
    },
    "services-sweep-sla": {
        "task": "services.tasks.sweep_sla",
        "schedule": crontab(minute=15, hour="7-20"),
    },
    "services-default-ratings": {
        "task": "services.tasks.default_ratings",
        "schedule": crontab(hour=1, minute=10),
    },
    "services-sweep-rectifications": {
        "task": "services.tasks.sweep_rectifications",
        "schedule": crontab(minute=20, hour="7-20"),
    },
    "services-send-early-warnings": {
        "task": "services.tasks.send_early_warnings",
        "schedule": crontab(hour=7, minute=40),
    },
    "services-refresh-statistics": {
        "task": "services.tasks.refresh_statistics",
        "schedule": crontab(hour=2, minute=30),
    },
    "services-notify-untold-bookings": {
        "task": "services.tasks.notify_untold_bookings",
        "schedule": 300.0,
    },
    "services-remind-bookings": {
        "task": "services.tasks.remind_bookings",
        "schedule": crontab(minute=0, hour="10,16"),
    },
    "services-sweep-missed-bookings": {
        "task": "services.tasks.sweep_missed_bookings",
        "schedule": crontab(minute="*/10", hour="8-20"),
    },
    "services-generate-slots": {
        "task": "services.tasks.generate_slots",
        "schedule": crontab(minute=30, hour=1),
    },
    "services-cancel-waiting-tickets": {
        "task": "services.tasks.cancel_waiting_tickets",
        "schedule": crontab(minute=45, hour=23),
    },
}
# Celery's Django fixup closes the connection after every task unless told to reuse it.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)

# --- Auth and accounts ----------------------------------------------------------------------
AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "portal.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"

ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
ACCOUNT_SIGNUP_FIELDS = ["phone*", "email", "password1*", "password2*"]
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
# Six digits, no dash: what every Chinese SMS verification code looks like.
ALLAUTH_USER_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
# Failed sign-ins (portal/signin_guard.py, ADR 0009). Keyed by the login typed, so an unknown
# account is limited exactly like a known one. Per account and address (or the holder's device
# cookie): LOGIN_FAILED_LIMIT free failures, then a wait that doubles with each failure, capped;
# failures are forgotten after LOGIN_FAILED_MEMORY_SECONDS without one.
LOGIN_FAILED_LIMIT = env.int("LOGIN_FAILED_LIMIT", default=5)
LOGIN_FAILED_FIRST_WAIT_SECONDS = env.int("LOGIN_FAILED_FIRST_WAIT_SECONDS", default=60)
LOGIN_FAILED_MAX_WAIT_SECONDS = env.int("LOGIN_FAILED_MAX_WAIT_SECONDS", default=60 * 60)
LOGIN_FAILED_MEMORY_SECONDS = env.int("LOGIN_FAILED_MEMORY_SECONDS", default=24 * 60 * 60)
# Per account across addresses: past the ceiling a password alone is refused on browsers without
# the account's device cookie until the window ends; the holder signs in by SMS code meanwhile.
LOGIN_FAILED_ACCOUNT_CEILING = env.int("LOGIN_FAILED_ACCOUNT_CEILING", default=20)
LOGIN_FAILED_ACCOUNT_WINDOW_SECONDS = env.int(
    "LOGIN_FAILED_ACCOUNT_WINDOW_SECONDS", default=24 * 60 * 60
)
LOGIN_DEVICE_COOKIE_NAME = "onewindow_device"
LOGIN_DEVICE_COOKIE_AGE_SECONDS = env.int(
    "LOGIN_DEVICE_COOKIE_AGE_SECONDS", default=180 * 24 * 60 * 60
)
# Per address across all accounts (allauth), against one address spraying many accounts.
LOGIN_FAILED_WINDOW_SECONDS = env.int("LOGIN_FAILED_WINDOW_SECONDS", default=15 * 60)
ACCOUNT_RATE_LIMITS = {"login_failed": f"20/{LOGIN_FAILED_WINDOW_SECONDS}s/ip"}
# Real-name declarations an account may make (page and API; portal/realname.py): each one says
# whether an ID number is registered to another account, so they are few, beyond 429.
REALNAME_DECLARATIONS_PER_HOUR = env.int("REALNAME_DECLARATIONS_PER_HOUR", default=5)
REALNAME_DECLARATIONS_PER_DAY = env.int("REALNAME_DECLARATIONS_PER_DAY", default=20)
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "One Window 一窗通办"
# Tracking "last seen" writes one UPDATE on every page view of every signed-in user (the
# benchmark saw the profile page at ~190 req/s with it); the session list still shows where
# and when each session signed in.
USERSESSIONS_TRACK_ACTIVITY = False
# Staff pages and /admin/ require a session authenticated with a second factor.
STAFF_MFA_REQUIRED = True

IDP_OIDC_PRIVATE_KEY = OIDC_PRIVATE_KEY
IDP_OIDC_ADAPTER = "portal.oidc.PortalOIDCAdapter"
IDP_OIDC_ACCESS_TOKEN_FORMAT = "jwt"  # noqa: S105  (a format name, not a secret)
IDP_OIDC_ROTATE_REFRESH_TOKEN = True

SMS_SENDER = env.str("SMS_SENDER", default="portal.sms.ConsoleSMSSender")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="noreply@onewindow.example")

# --- I18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Applicants' materials: never under a served folder; read only through a permission-
    # checked view. Production: any Django storage, e.g. S3-compatible object storage through
    # django-storages ("storages.backends.s3.S3Storage" with its options as JSON).
    "materials": {
        "BACKEND": env.str(
            "MATERIALS_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json(
            "MATERIALS_STORAGE_OPTIONS",
            default={"location": str(VAR_DIR / "private" / "materials")},
        ),
    },
}

# --- Security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
# Django's database sessions, the row read as a fixed statement (portal/request_reads.py).
SESSION_ENGINE = "portal.request_reads"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a bad token gets a 401 with a Bearer challenge rather than a 403.
        "portal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # page_size 1..100, anything else refused with 400
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "portal.api.parsers.JSONParser",  # DRF's, with a nesting limit
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "portal.api.throttles.AnonRateThrottle",  # per address
        "portal.api.throttles.PersonRateThrottle",  # per signed-in person
        "portal.api.throttles.ClientRateThrottle",  # per department client's token
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_THROTTLE_ANON", default="120/min"),
        "user": env.str("API_THROTTLE_USER", default="600/min"),
        "client": env.str("API_THROTTLE_CLIENT", default="1200/min"),
        # The pages a QR scan opens, per address: a hall's shared network has many phones.
        "verify_page": env.str("VERIFY_PAGE_THROTTLE", default="600/min"),
    },
}
# The hall's kiosks (services.kiosk_devices): an enrolled kiosk's cookie lasts a year (staff
# revoke a hall's kiosks from /staff/hall/kiosks/); its tickets, check-ins and progress look-ups
# are limited per kiosk and per client address (a hall's kiosks may share one address). A
# visitor takes a ticket in about half a minute, so 20 a minute is a busy kiosk, not a script.
KIOSK_DEVICE_MAX_AGE = env.int("KIOSK_DEVICE_MAX_AGE", default=365 * 24 * 3600)
KIOSK_THROTTLE_DEVICE = env.str("KIOSK_THROTTLE_DEVICE", default="20/min")
KIOSK_THROTTLE_ADDRESS = env.str("KIOSK_THROTTLE_ADDRESS", default="60/min")
SPECTACULAR_SETTINGS = {
    "TITLE": "One Window API",
    "DESCRIPTION": (
        "一窗通办 REST API. Departments' systems: get a client-credentials token at "
        "/identity/o/api/token (see the departmentClient security scheme and its scopes); "
        "every error is an `Error` object with a stable `code`; reference data under "
        "/api/v1/departments/, /api/v1/service-categories/, /api/v1/halls/ and "
        "/api/v1/certificate-types/; certificate verifiers start at "
        "/.well-known/certificate-verification (signing keys: /certificates/keys.json). "
        "Guide: docs/integration.md."
    ),
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "certificates.api.schema.add_plain_views",
        "portal.api.openapi.finish",  # last: the contract every operation keeps
    ],
}

DEFAULT_EXCEPTION_REPORTER_FILTER = "portal.logging.PersonalDataReporterFilter"

# --- Logging --------------------------------------------------------------------------------
# Every handler masks ID and mobile numbers (portal/logging.py). Django's own defaults are
# replaced for the loggers that have their own handlers: runserver's access lines
# (django.server) and the admin e-mails of django.request would otherwise go out unmasked.
# The loggers that carry request lines mask before any handler, added later or not, sees them.
# gunicorn: portal/gunicorn.py; Celery worker: portal/celery.py.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "mask_personal_data": {"()": "portal.logging.masking_filter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["mask_personal_data"],
        },
        "mail_admins": {
            "level": "ERROR",
            "class": "django.utils.log.AdminEmailHandler",
            "filters": ["mask_personal_data", "require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.request": {"filters": ["mask_personal_data"]},
        "django.server": {
            "handlers": ["django.server"],
            "filters": ["mask_personal_data"],
            "level": "INFO",
            "propagate": False,
        },
        "django.db.backends": {"level": "WARNING"},
    },
}

SESSION_COOKIE_AGE = int(timedelta(days=7).total_seconds())
PORTAL_NAME = _("One Window")

# --- Reservations and the hall queue (services.booking, services.queueing; ADR 0012) --------
BOOKING_DAYS_AHEAD = env.int("BOOKING_DAYS_AHEAD", default=14)
# Cancelling or moving a booking is possible until this many minutes before its slot.
BOOKING_CHANGE_CUTOFF_MINUTES = env.int("BOOKING_CHANGE_CUTOFF_MINUTES", default=60)
BOOKING_MAX_LIVE = env.int("BOOKING_MAX_LIVE", default=3)
BOOKING_NO_SHOW_LIMIT = env.int("BOOKING_NO_SHOW_LIMIT", default=3)
BOOKING_NO_SHOW_WINDOW_DAYS = env.int("BOOKING_NO_SHOW_WINDOW_DAYS", default=90)
BOOKING_BLOCK_DAYS = env.int("BOOKING_BLOCK_DAYS", default=30)
# Check-in opens this long before the slot; later than the grace after its start, the booking
# is queued as a walk-in.
QUEUE_CHECK_IN_EARLY_MINUTES = env.int("QUEUE_CHECK_IN_EARLY_MINUTES", default=60)
QUEUE_LATE_GRACE_MINUTES = env.int("QUEUE_LATE_GRACE_MINUTES", default=15)
# The estimated wait when a queue has served nobody yet today.
QUEUE_MINUTES_PER_VISIT = env.int("QUEUE_MINUTES_PER_VISIT", default=8)
# Unserved tickets one visitor (by ID or mobile number) may hold in one queue: his own and the
# person's he accompanies.
QUEUE_LIVE_TICKETS_PER_HOLDER = env.int("QUEUE_LIVE_TICKETS_PER_HOLDER", default=2)
