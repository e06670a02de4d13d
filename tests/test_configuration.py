"""Configuration fails loudly: a bad value stops start-up with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "isa.example.org",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _start(
    overrides: dict[str, str | None], code: str = "import django; django.setup()"
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in GOOD and not k.startswith("DJANGO")}
    env.update(GOOD)
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    env["DJANGO_SETTINGS_MODULE"] = "isa_portal.settings"
    return subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_good_production_configuration_starts():
    result = _start({})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY must be set when DEBUG is off"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS must be set when DEBUG is off"),
        ({"DEBUG": "maybe"}, "DEBUG must be true or false"),
        ({"DATABASE_URL": "nonsense://x"}, "DATABASE_URL"),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "thirty"}, "SESSION_IDLE_TIMEOUT_MINUTES must be a whole number"),
        ({"SESSION_IDLE_TIMEOUT_MINUTES": "1"}, "SESSION_IDLE_TIMEOUT_MINUTES must be at least 2"),
        ({"DB_CONN_MAX_AGE": "-1"}, "DB_CONN_MAX_AGE must be at least 60"),
        ({"DB_CONN_MAX_AGE": "0"}, "DB_CONN_MAX_AGE must be at least 60"),
        ({"EMAIL_URL": "pigeon://loft"}, "EMAIL_URL"),
        ({"ADMIN_URL": "/admin"}, "ADMIN_URL must be a relative path"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(overrides, named):
    result = _start(overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


DEV_TOOLS = (
    "import django; django.setup(); from django.apps import apps; "
    "from django.core.management import get_commands; "
    "print(apps.is_installed('devdata'), 'seed_demo' in get_commands(), 'generate_volume' in get_commands())"
)


@pytest.mark.parametrize(
    ("overrides", "installed"),
    [
        ({"DEV_DATA": None}, "False False False"),  # production: DEBUG off, nothing said
        ({"DEV_DATA": None, "DEBUG": "true"}, "True True True"),  # make run
        ({"DEV_DATA": "true"}, "True True True"),  # make load's throwaway database, DEBUG off
        ({"DEV_DATA": "false", "DEBUG": "true"}, "False False False"),
    ],
)
def test_the_development_data_app_is_installed_only_when_asked_for(overrides, installed):
    result = _start(overrides, DEV_TOOLS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == installed.split()


def test_a_bad_dev_data_value_stops_start_up():
    result = _start({"DEV_DATA": "sometimes"})
    assert result.returncode != 0
    assert "DEV_DATA must be true or false" in result.stderr


def test_development_generates_and_keeps_a_local_secret_key(tmp_path, monkeypatch):
    from isa_portal.env import env_secret_key

    monkeypatch.delenv("TEST_ONLY_SECRET", raising=False)
    first = env_secret_key("TEST_ONLY_SECRET", debug=True, local_file=tmp_path / "key")
    second = env_secret_key("TEST_ONLY_SECRET", debug=True, local_file=tmp_path / "key")
    assert first == second
    assert len(first) >= 50
    assert oct((tmp_path / "key").stat().st_mode)[-3:] == "600"


def test_database_connections_are_persistent():
    from django.conf import settings

    assert settings.DATABASES["default"]["CONN_MAX_AGE"] >= 60
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.parametrize(
    "profile",
    [
        {},  # production
        {"DEBUG": "true", "SECRET_KEY": None, "ALLOWED_HOSTS": None, "DATABASE_URL": None},  # make run
        {"DATABASE_URL": "postgres://isa@db.example.org:5432/isa_portal"},
    ],
)
def test_every_profile_keeps_database_connections(profile):
    """A new connection per request costs ~11 ms: no profile may run without persistent ones."""
    result = _start(
        profile,
        "import django; django.setup(); from django.conf import settings; "
        "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])",
    )
    assert result.returncode == 0, result.stderr
    max_age, health_checks = result.stdout.split()
    assert int(max_age) >= 60 and health_checks == "True"


def test_templates_are_compiled_once_per_process():
    """Pages render from cached, compiled templates: the loader must not read and parse
    every template again on every request."""
    from django.template import engines
    from django.template.loaders.cached import Loader as CachedLoader

    assert [type(loader) for loader in engines["django"].engine.template_loaders] == [CachedLoader]
