"""docker-compose.yml cannot run here (no Docker engine): check it agrees with the code."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS = (ROOT / "isa_portal" / "settings.py").read_text() + (ROOT / "isa_portal" / "env.py").read_text()


def test_postgres_15_and_the_app_with_a_health_check():
    services = COMPOSE["services"]
    assert services["db"]["image"] == "postgres:15"
    assert "healthcheck" in services["db"]
    assert services["app"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])


def test_app_runs_migrations_then_gunicorn_with_static_files():
    command = COMPOSE["services"]["app"]["command"]
    assert command.index("migrate --noinput") < command.index("gunicorn")
    assert "collectstatic --noinput" in command
    assert "isa_portal.wsgi:application" in command
    assert "--no-control-socket" in command
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in SETTINGS


def test_every_environment_variable_is_one_the_settings_read():
    environment = COMPOSE["services"]["app"]["environment"]
    for name in environment:
        assert re.search(rf'"{name}"', SETTINGS), f"{name} is set in docker-compose.yml but never read"
    assert environment["DEBUG"] == "false"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "SECRET_KEY" in environment and "ALLOWED_HOSTS" in environment


def test_database_credentials_agree_between_the_services():
    db = COMPOSE["services"]["db"]["environment"]
    url = COMPOSE["services"]["app"]["environment"]["DATABASE_URL"]
    assert f"{db['POSTGRES_USER']}:" in url
    assert url.endswith(f"@db:5432/{db['POSTGRES_DB']}")


def test_dockerfile_runs_the_same_commands_as_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = " ".join(COMPOSE["services"]["app"]["command"].split())
    assert "gunicorn isa_portal.wsgi:application" in dockerfile
    assert "migrate --noinput" in dockerfile
    assert "pip install ." in dockerfile
    gunicorn = re.search(r"gunicorn [^\"]+", dockerfile).group(0).strip()
    assert gunicorn in command
