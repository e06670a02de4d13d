"""Settings for ISA Portal.

Everything an operator may change is read from the environment through the
helpers in ``isa_portal.env``, which stop start-up with a message naming the
variable when a value is wrong. The defaults below are for a first local run
(``make run``): SQLite in the project folder, debug on only when asked for.
"""

import datetime
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from accounts.oidc_providers import providers_from_env
from isa_portal.env import (
    env,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_mailer,
    env_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret_key("SECRET_KEY", debug=DEBUG, local_file=LOCAL_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "django_filters",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "rest_framework",
    "drf_spectacular",
    # Our apps. `isa_portal` itself holds what is cross-cutting: settings, the vocabulary, templates.
    "isa_portal",
    "accounts",
    # After accounts: its models read the user model as they are imported (accounts.models.Passkey).
    "django_otp_webauthn",
    "audit",
    "agreements",
    "consent",
    "journeys",
    "decisions",
    "reports",
    "operations",
    "api",
]
# The demo seeder and the synthetic data generator (devdata/) are development tools, not part
# of a deployment: installed with DEBUG in a checkout (the Docker image leaves devdata/ out), or
# when asked for by name (the test settings; `make load` for its throwaway database, DEBUG off).
DEV_DATA = env_bool("DEV_DATA", DEBUG and (BASE_DIR / "devdata").is_dir())
if DEV_DATA:
    INSTALLED_APPS.append("devdata")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "audit.middleware.AuditContextMiddleware",
    "accounts.middleware.SessionLimitsMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "isa_portal.middleware.NoStoreForSignedInMiddleware",
    # Last, as django-axes asks: turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "isa_portal.urls"
WSGI_APPLICATION = "isa_portal.wsgi.application"

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
                "django.template.context_processors.csp",
                "isa_portal.context_processors.service",
            ],
            "builtins": ["isa_portal.templatetags.isa_display"],
        },
    },
]

# Database: SQLite for a first run, PostgreSQL for the test suite and production.
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# No request-wide transaction (ATOMIC_REQUESTS): each write opens its own, in its service, and
# pages that only read run in autocommit. The policy and why: isa_portal/transactions.py.
# Persistent connections always, in every profile: a new connection per request costs ~11 ms on
# PostgreSQL (TCP and password authentication), which caps a worker at a few hundred requests a
# second. So the setting may lengthen or shorten their life but never turn them off (0).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DB_CONN_MAX_AGE", 600, minimum=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out username-and-address pair before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, loading the user's agency with them (one query a request fewer).
    "accounts.backends.UserBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 60 * 60  # one hour

# Sessions: signed-in users are signed out after this many idle minutes,
# and warned a couple of minutes before.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30, minimum=2, maximum=24 * 60) * 60
SESSION_IDLE_WARNING = 2 * 60
# Absolute limit: a session ends this long after sign-in, however busy
# (accounts.middleware.SessionLimitsMiddleware enforces it on the server).
SESSION_ABSOLUTE_LIMIT = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIMIT
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

# Transport security. A deployment behind a TLS-terminating proxy sets
# SECURE_PROXY_SSL_HEADER=true so Django trusts X-Forwarded-Proto.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# The container health check calls /healthz over plain HTTP from inside the container.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The header allows (does not make) a submission to the browsers' preload list.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Two-factor sign-in (django-otp, TOTP with single-use backup codes) for every role.
# Only a local demo may turn it off, and only with DEBUG on.
OTP_REQUIRED = env_bool("OTP_REQUIRED", True)
if not OTP_REQUIRED and not DEBUG:
    raise ImproperlyConfigured(
        "OTP_REQUIRED=false is allowed only for a local demo with DEBUG=true; "
        "two-factor sign-in cannot be turned off in production."
    )
OTP_TOTP_ISSUER = "ISA Portal"
OTP_BACKUP_CODES = 10
# Wrong codes in a row before the half-signed-in session is ended (django-otp also
# slows each device down after every failure).
OTP_MAX_FAILURES = 5

# Single sign-on with OpenID Connect (accounts.oidc): the providers named in SSO_PROVIDERS, each
# configured by SSO_<NAME>_* variables (accounts.oidc_providers; README "Single sign-on"). A
# provider signs in only people who already have an account; it never creates one or grants a role.
SSO_PROVIDERS = providers_from_env()
# Seconds to wait for a provider's discovery document, keys and token endpoint.
SSO_TIMEOUT = env_int("SSO_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)

# The reverse proxies in front of the service (addresses or networks, e.g. "10.0.0.2,172.18.0.0/16"),
# or how many there are ("1"): which X-Forwarded-For entry is the client (audit.context.client_address,
# used by the audit trail, the list of sessions and the lockout). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])


def _check_trusted_proxies(proxies: list[str]) -> None:
    import ipaddress

    if len(proxies) == 1 and proxies[0].isdigit():
        return
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES must list proxy addresses or networks (e.g. 10.0.0.2,172.18.0.0/16) "
                f"or be how many proxies there are (e.g. 1), not {proxy!r}."
            ) from None


_check_trusted_proxies(TRUSTED_PROXIES)

# Throttling and lockout (django-axes): failures are counted per (email address, client address):
# ten in an hour lock that pair, so a stranger cannot lock a lead out from elsewhere, nor can one
# agency's shared address lock its colleagues out. Per client address as well, with a higher limit
# (accounts.lockouts.lockout_parameters): one address guessing at many accounts is stopped too.
AXES_ENABLED = True
AXES_LOCKOUT_PARAMETERS = "accounts.lockouts.lockout_parameters"
AXES_FAILURE_LIMIT = 10
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 50, minimum=10, maximum=10_000)
AXES_COOLOFF_TIME = 1  # hours
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.lockouts.username_tried"
AXES_CLIENT_IP_CALLABLE = "audit.context.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.lockouts.locked_out_response"
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail already
AXES_VERBOSE = False  # its log lines would carry the email addresses tried
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # locks are lifted at accounts:lockout_list, audited; not in the Django admin

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "isa_portal.storage.ManifestStaticStorage"
            if env_bool("STATIC_MANIFEST", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded documents (agreement PDFs) live outside the web root and are served
# only through views that check the signed-in user.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")

# Mail (Django 6.1's MAILERS) from one URL: smtp://user:pass@host:587/?tls=true,
# or consolemail:// to print messages instead of sending them.
MAILERS = {
    "default": env_mailer(
        "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
    )
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ISA Portal <no-reply@isa-portal.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Where links in e-mails point: the address people use to reach the service.
SITE_URL = env.str("SITE_URL", default="http://localhost:8000")


def _passkey_relying_party(allowed_hosts: list[str], used_at: list[str]) -> tuple[str, list[str]]:
    """The passkeys' relying party ID (the domain a passkey is bound to) and the origins it may be
    used from. PASSKEY_RP_ID, else the first host name in ALLOWED_HOSTS; PASSKEY_ORIGINS, else those
    of ``used_at`` (CSRF_TRUSTED_ORIGINS, SITE_URL) on that domain, else https://<the domain>.
    An empty variable (as docker-compose.yml passes one not given) means the default."""
    from urllib.parse import urlsplit

    names = [h.lstrip(".") for h in allowed_hosts if h != "*" and not h.replace(".", "").isdigit()]
    names = [h for h in names if ":" not in h]  # IPv6 addresses cannot be a relying party either
    rp_id = (env.str("PASSKEY_RP_ID", default="").strip() or (names[0] if names else "")).lower()
    if not rp_id:
        raise ImproperlyConfigured("PASSKEY_RP_ID must be set when ALLOWED_HOSTS names no host.")
    if "*" not in allowed_hosts and not any(h == rp_id or h.endswith("." + rp_id) for h in names):
        raise ImproperlyConfigured(
            f"PASSKEY_RP_ID must be a host in ALLOWED_HOSTS or a domain above one (got {rp_id!r})."
        )

    def usable(origin: str) -> bool:
        parts = urlsplit(origin)
        host = parts.hostname or ""
        secure = parts.scheme == "https" or (parts.scheme == "http" and host == "localhost")
        return secure and (host == rp_id or host.endswith("." + rp_id)) and parts.path in ("", "/")

    def origin_of(url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"

    derived = list(dict.fromkeys(origin_of(u) for u in used_at if "*" not in u and usable(u)))
    origins = env_list("PASSKEY_ORIGINS", []) or derived or [f"https://{rp_id}"]
    for origin in origins:
        if not usable(origin):
            raise ImproperlyConfigured(
                f"PASSKEY_ORIGINS must list https:// origins on {rp_id} or http://localhost, not {origin!r}."
            )
    return rp_id, [origin_of(origin) for origin in origins]


# Passkeys (django-otp-webauthn) as a second step beside the authenticator app. The browser binds
# each passkey to the relying party ID and signs the origin it is used on, so a look-alike site
# cannot replay it (phishing-resistant). Never a way in on their own: the password comes first.
OTP_WEBAUTHN_RP_ID, OTP_WEBAUTHN_ALLOWED_ORIGINS = _passkey_relying_party(
    ALLOWED_HOSTS, [*CSRF_TRUSTED_ORIGINS, SITE_URL]
)
OTP_WEBAUTHN_RP_NAME = "ISA Portal"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_CREDENTIAL_MODEL = "accounts.Passkey"
OTP_WEBAUTHN_HELPER_CLASS = "accounts.passkeys.PasskeyHelper"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Audit trail: our own entry model, so entries carry the agency, the event and
# the source (web request or a named management command).
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# auditlog's own migrations would create its unused (swapped-out) table; without
# migrations, Django creates no table for a swapped model.
MIGRATION_MODULES = {"auditlog": None}
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False
# Signed checkpoints of the trail (audit/checkpoints.py; README "Operating"): the Ed25519 key the
# operator keeps outside the database (a PEM file or a mounted secret), the directory each signed
# checkpoint is also written to (ship it anywhere), and public keys of earlier signing keys.
# The application's own database role, which owns nothing (isa_portal/db_roles.py): set it where
# migrations run as the owner, and every migrate grants that role what it needs and no more.
DATABASE_APP_ROLE = env.str("DATABASE_APP_ROLE", default="")
AUDIT_SIGNING_KEY_FILE = env.str("AUDIT_SIGNING_KEY_FILE", default="")
AUDIT_CHECKPOINT_DIR = env.str("AUDIT_CHECKPOINT_DIR", default="")
AUDIT_CHECKPOINT_ORIGIN = env.str("AUDIT_CHECKPOINT_ORIGIN", default="isa-portal/audit")
AUDIT_TRUSTED_PUBLIC_KEYS = env_list("AUDIT_TRUSTED_PUBLIC_KEYS", [])

# The Django admin, for operations staff: off unless ADMIN_URL names its path. It needs the same
# second factor, and every page opened in it is audited (isa_portal.admin, isa_portal.urls).
ADMIN_URL = env.str("ADMIN_URL", default="")
if ADMIN_URL and (not ADMIN_URL.endswith("/") or ADMIN_URL.startswith("/")):
    raise ImproperlyConfigured("ADMIN_URL must be a relative path ending in '/', e.g. 'ops-admin/'.")

# A child's own consent rests on a "competent" assessment for the same matter made
# no more than this many days before.
CONSENT_COMPETENCE_VALID_DAYS = env_int("CONSENT_COMPETENCE_VALID_DAYS", 90, minimum=0, maximum=3650)

def _commences(name: str):
    """A commencement date (YYYY-MM-DD) from the environment; unset: not yet commenced."""
    value = env.str(name, default="")
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date like 2027-04-01, not {value!r}.") from None


# When provisions commenced by regulations come into force (isa_portal.vocabulary.Provision).
# Until a date is set, the product describes the duty as applying "when in force".
COMMENCEMENT = {
    "children_act_2004_s16LA": _commences("CHILDREN_ACT_S16LA_COMMENCES"),
    "children_act_2004_s16LC": _commences("CHILDREN_ACT_S16LC_COMMENCES"),
}

# How many working days each rung of the escalation ladder has to respond to a professional
# disagreement (decisions.rules, "The escalation ladder"): set it from the partnership's policy.
ESCALATION_RESPONSE_WORKING_DAYS = env_int("ESCALATION_RESPONSE_WORKING_DAYS", 5, minimum=1, maximum=60)

# The API for case systems (api/): a client's bearer token only (never a session), each call
# audited, and at most API_RATE_LIMIT calls per client (counted in the default cache).
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="120/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.auth.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.auth.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.auth.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ISA Portal API for case systems",
    "DESCRIPTION": "An agency's children, decisions and consent records (with FHIR R4 exports), and "
    "draft decisions for its practitioners to complete. Authenticate with the client's token: "
    "`Authorization: Bearer isa_...`. See the README, section API.",
    "VERSION": "1",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

SERVICE_NAME = "ISA Portal"
SERVICE_PHASE = env.str("SERVICE_PHASE", default="beta")
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="isa-portal-support@example.org")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name} {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs would carry URLs and query strings; keep only warnings.
        "django.request": {"level": "WARNING"},
        "django.server": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Uploads: agreement PDFs of at most 20 MB. Larger files are dropped as they stream in
# (isa_portal.uploads), so the form can say so; other request fields stay at Django's 2.5 MB.
AGREEMENT_DOCUMENT_MAX_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_SIZE = AGREEMENT_DOCUMENT_MAX_SIZE
FILE_UPLOAD_HANDLERS = [
    "isa_portal.uploads.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
