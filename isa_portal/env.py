"""Reading configuration from the environment, failing loudly on bad values.

Every setting that an operator can change comes through here, so a typo in a
deployment stops start-up with a message that names the variable instead of
silently falling back to a default.
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

env = environ.Env()

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r}).")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r}).") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ImproperlyConfigured(f"{name} must be at least {minimum}{upper} (got {value}).")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    raw = env.str(name, default=default)
    scheme = raw.split("://", 1)[0] if "://" in raw else ""
    if scheme not in environ.Env.DB_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must start with a database scheme such as postgres:// or sqlite:/// (got {scheme!r})."
        )
    try:
        config = environ.Env.db_url_config(raw)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL we understand: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"{name} names an unknown database scheme (got {raw!r}).")
    return config


def env_secret_key(name: str, *, debug: bool, local_file: Path) -> str:
    """The secret key: required in production, generated once and kept locally in development."""
    value = env.str(name, default="")
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters long.")
        return value
    if not debug:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    local_file.parent.mkdir(parents=True, exist_ok=True)
    if not local_file.exists():
        local_file.write_text(secrets.token_urlsafe(50))
        local_file.chmod(0o600)
    return local_file.read_text().strip()


_SMTP_OPTIONS = {
    "EMAIL_HOST": "host",
    "EMAIL_PORT": "port",
    "EMAIL_HOST_USER": "username",
    "EMAIL_HOST_PASSWORD": "password",
    "EMAIL_USE_TLS": "use_tls",
    "EMAIL_USE_SSL": "use_ssl",
    "EMAIL_TIMEOUT": "timeout",
}


def env_mailer(name: str, default: str) -> dict:
    """A MAILERS entry from an email URL (smtp://, smtps://, consolemail://, filemail://...)."""
    raw = env.str(name, default=default)
    try:
        config = environ.Env.email_url_config(raw)
    except Exception as exc:
        raise ImproperlyConfigured(f"{name} is not an email URL we understand: {exc}") from None
    backend = config.get("EMAIL_BACKEND")
    if not backend:
        raise ImproperlyConfigured(f"{name} names an unknown email scheme (got {raw!r}).")
    mailer: dict = {"BACKEND": backend}
    if backend.endswith("smtp.EmailBackend"):
        mailer["OPTIONS"] = {
            option: config[key] for key, option in _SMTP_OPTIONS.items() if config.get(key)
        }
        mailer["OPTIONS"].setdefault("timeout", 10)
    return mailer
