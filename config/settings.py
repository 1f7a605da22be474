"""One settings file, read from the environment with safe local defaults.

Development (the default) runs on SQLite with a throwaway secret key. Production
(DJANGO_ENV=production) refuses to start without a secret key, a database URL and
allowed hosts.
"""

import datetime
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

ENVIRONMENT = env("DJANGO_ENV", default="development")
if ENVIRONMENT not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = ENVIRONMENT == "production"

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")


def _required_in_production(name, development_default):
    value = env(name, default="")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return development_default


SECRET_KEY = _required_in_production(
    "DJANGO_SECRET_KEY", "development-only-key-never-used-in-production"
)
DATABASES = {
    "default": env.db_url_config(
        _required_in_production("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
    )
}
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=[] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"],
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
# No ATOMIC_REQUESTS: public reads need no transaction; every write is wrapped where it happens
# (the admin's own views, services.py) in transaction.atomic.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
# A read replica of the primary, if any: anonymous visitors' reads of public pages go to it
# (config.routers); staff, writes and reads just after a write use the primary.
if DATABASE_REPLICA_URL := env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    # Under test the replica alias reads the test database (through a connection of its own).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["config.routers.PrimaryReplicaRouter"]

INSTALLED_APPS = [
    # modeltranslation must come before the apps it patches and before the admin.
    "modeltranslation",
    "config.apps.TrackerAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "simple_history",
    "axes",
    # django-otp before accounts: accounts/admin.py unregisters the plugins' device admins.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "cases",
    "ops",
]

MIDDLEWARE = [
    # First, so that everything below (throttling, lockouts, logs) sees the visitor's address.
    "config.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Production's static files, answered before sessions or the database are touched
    # (development's come from runserver and the test server).
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # The API's and the feed's language from Accept-Language; the visitor's chosen language.
    "cases.i18n.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(), then the one gate that sends staff to their second factor.
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    # Lets an anonymous visitor's reads go to the read replica, if one is configured.
    "config.routers.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "config.middleware.AdminContentSecurityPolicyMiddleware",
    "config.middleware.PermissionsPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into a 429 page.
    "axes.middleware.AxesMiddleware",
]

# The benchmark serves its floor view from bench.urls; nothing else changes this.
ROOT_URLCONF = env("DJANGO_ROOT_URLCONF", default="config.urls")
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Twelve characters at least (NIST SP 800-63B's advice for a password used alone; here it is
    # one factor of two), and not one of the 20,000 most common.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/staff/"
LOGOUT_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force protection: after AXES_FAILURE_LIMIT failed sign-ins for one username, from any
# addresses, or from one address (an IPv6 /64), for any usernames, that account or that address is
# locked out (429) for the cool-off time: rotating addresses does not buy more guesses at one
# password. Unknown usernames count the same, so the answer never tells whether an account
# exists. An admin can lift a lockout early (`manage.py axes_reset_username NAME`).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# Django's sign-in forms pass on a username of any length; this cuts it to a username's length.
AXES_USERNAME_CALLABLE = "accounts.audit.typed_username"
# Failures counted per address the way every other limit counts a client (an IPv6 /64).
AXES_CLIENT_IP_CALLABLE = "config.ratelimit.client_id"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Two-factor sign-in (django-otp): the name authenticator apps show beside the account.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="Case tracker")

# Password-reset mail: printed to the console in development; SMTP in production.
if PRODUCTION:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env("EMAIL_HOST", default="localhost"),
                "port": env.int("EMAIL_PORT", default=587),
                "username": env("EMAIL_HOST_USER", default=""),
                "password": env("EMAIL_HOST_PASSWORD", default=""),
                "use_tls": env.bool("EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="tracker@localhost")

# Languages: English is the default and unprefixed; az and ru live under /az/ and /ru/.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("az", _("Azerbaijani")),
    ("ru", _("Russian")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language a visitor chose with the switcher (cases.views.choose_language), kept for a year:
# an unprefixed address then redirects to that language's (cases.i18n.LanguageMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = PRODUCTION
# Unprefixed addresses that answer in the language of the client's Accept-Language header.
LANGUAGE_NEGOTIATED_PATHS = ["/api/", "/feeds/"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", default="UTC")

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

# whitenoise serves static files from gunicorn. In production they are collected with hashed names
# (cached for a year) and pre-compressed with gzip and brotli, so `collectstatic` must run before
# the app starts (`make serve` does). Development and tests use plain names.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# HTTPS. Production assumes it: cookies are sent over HTTPS only, plain HTTP is redirected, and
# HSTS tells browsers to use nothing else (a year by default; includeSubDomains and preload only
# cover names under the site's own, and the preload list still needs a submission).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# A load balancer's health check speaks plain HTTP to the app server.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = (
    env.int("DJANGO_HSTS_SECONDS", default=365 * 24 * 60 * 60) if PRODUCTION else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Behind nginx (and perhaps a load balancer) every request comes from the proxy: with the number
# of proxies set, the visitor's address is read from X-Forwarded-For (config.middleware, used by
# the API throttle and the sign-in lockout alike) and HTTPS from X-Forwarded-Proto, which the
# nearest proxy must set. Zero (the default) trusts no such header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Browser features no page here uses, switched off (config.middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=()"
)

# Content-Security-Policy: nothing but this site's own files, and no inline script or style
# anywhere (templates keep styles in static/css). The nonce serves Django's admin, which marks its
# own scripts with it; public pages must not use {{ csp_nonce }}, because they are served whole
# from the cache (cases.views.public_page) while each response gets a fresh nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The admin site alone may also use style="" attributes: django-simple-history's history page
# writes one. An attribute can neither run script nor select other elements, and the admin is
# for signed-in moderators and admins; scripts and <style> elements stay as strict as above.
SECURE_CSP_ADMIN = {**SECURE_CSP, "style-src-attr": [CSP.UNSAFE_INLINE]}

# The read-only JSON API (/api/v1/): public data only, so no sign-in and no sessions; anonymous
# clients are throttled (API_ANON_RATE, e.g. "60/min" or "1000/day").
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    "DEFAULT_PAGINATION_CLASS": "cases.api_limits.Pagination",
    "DEFAULT_THROTTLE_CLASSES": ["cases.api_limits.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", default="60/min")},
    # Throttle by REMOTE_ADDR, which TrustedProxyMiddleware has already corrected. DRF's default
    # (None) keys on X-Forwarded-For as sent, so a client could dodge the throttle by varying it.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Political prisoner case tracker API",
    "DESCRIPTION": "Read-only JSON: published detainees, cases, ECHR applications and "
    "execution groups. The detainee list takes the listing's filters and parameter names.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "cases.api.describe_for_readers",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PrecisionEnum": "cases.models.Precision",
        "StatusEnum": "cases.models.Status",
        "GenderEnum": "cases.models.Gender",
        "SentenceKindEnum": "cases.models.SentenceKind",
        "EventKindEnum": "cases.models.Event.Kind",
        "NameKindEnum": "cases.models.DetaineeName.Kind",
        "FacilityKindEnum": "cases.models.Facility.Kind",
    },
}

# The site's public address (https://example.org), the start of every absolute link the site
# writes (cases.links). Set it in production: otherwise links follow each request's Host header.
SITE_URL = env("SITE_URL", default="")
if SITE_URL and not SITE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SITE_URL must start with https:// (or http://).")

# Two people for every publication (SPEC, rule 6): nobody publishes their own draft or approves
# their own change. Only an organisation with a single moderator turns it off (README).
TWO_PERSON_RULE = env.bool("TWO_PERSON_RULE", default=True)

# Requests one client (an IPv4 address, or an IPv6 /64) may make to the costliest public pages,
# per window: "N/sec", "/min", "/hour" or "/day"; "off" for none (config.ratelimit). Counted in
# the cache, so across app servers when CACHE_URL is a shared Redis.
RATE_LIMITS = {
    "listing": env("RATE_LIMIT_LISTING", default="120/min"),
    "export": env("RATE_LIMIT_EXPORT", default="10/min"),
    "stats": env("RATE_LIMIT_STATS", default="60/min"),
}

# Whole public pages served from the cache while the data is unchanged (cases.views.public_page).
# Off only to measure the pages themselves (PUBLIC_PAGE_CACHE=0 make bench).
PUBLIC_PAGE_CACHE = env.bool("PUBLIC_PAGE_CACHE", default=True)
# Local memory by default (one cache per process); CACHE_URL=redis://127.0.0.1:6379/1 shares
# one cache between processes and app servers. Give the site a Redis database of its own:
# `manage.py restore` clears the whole cache.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Where `manage.py backup` writes (ops/backups.py); uploaded files under MEDIA_ROOT, if set, are
# backed up with the database.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
MEDIA_ROOT = env("MEDIA_ROOT", default="")
# Spreadsheets uploaded for import, kept between the preview and the confirmation (at most a day),
# readable by the app's user alone. Never under MEDIA_ROOT, which a web server may serve. Several
# app servers need it shared, or sticky sessions.
IMPORT_UPLOAD_DIR = Path(env("IMPORT_UPLOAD_DIR", default=str(BASE_DIR / "var" / "imports")))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
