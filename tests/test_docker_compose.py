"""docker-compose.yml cannot run here (no Docker engine): check it agrees with the code."""

import re
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTINGS = (ROOT / "isa_portal" / "settings.py").read_text() + (ROOT / "isa_portal" / "env.py").read_text()


def test_postgres_15_and_the_app_with_a_health_check():
    services = COMPOSE["services"]
    assert services["db"]["image"] == "postgres:15"
    assert "healthcheck" in services["db"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "/healthz" in " ".join(services["app"]["healthcheck"]["test"])


def test_migrations_run_first_then_the_app_runs_gunicorn_with_static_files():
    services = COMPOSE["services"]
    assert "migrate --noinput" in services["migrate"]["command"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    command = services["app"]["command"]
    assert "migrate" not in command
    assert command.index("collectstatic --noinput") < command.index("gunicorn")
    assert "isa_portal.wsgi:application" in command
    assert "--no-control-socket" in command
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in SETTINGS


def test_every_environment_variable_is_one_the_settings_read():
    for service in ("app", "migrate", "scheduler"):
        for name in COMPOSE["services"][service]["environment"]:
            assert re.search(rf'"{name}"', SETTINGS), f"{name} is set in docker-compose.yml but never read"
    environment = COMPOSE["services"]["app"]["environment"]
    assert environment["DEBUG"] == "false"
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert "SECRET_KEY" in environment and "ALLOWED_HOSTS" in environment


def test_the_app_connects_as_a_role_that_owns_nothing_and_migrations_run_as_the_owner():
    """Two roles, made by the database's first start (docker/db-init.sh): the superuser is no service's."""
    services = COMPOSE["services"]
    db = services["db"]["environment"]
    app_url = services["app"]["environment"]["DATABASE_URL"]
    migrate = services["migrate"]["environment"]
    assert app_url.startswith("postgres://isa_app:${APP_DB_PASSWORD}@")
    assert migrate["DATABASE_URL"].startswith("postgres://isa_owner:${OWNER_DB_PASSWORD}@")
    assert migrate["DATABASE_APP_ROLE"] == "isa_app"
    for url in (app_url, migrate["DATABASE_URL"]):
        assert url.endswith(f"@db:5432/{db['POSTGRES_DB']}")
        assert f"//{db['POSTGRES_USER']}:" not in url
    assert "OWNER_DB_PASSWORD" not in str(services["app"])
    init = (ROOT / "docker" / "db-init.sh").read_text()
    assert "./docker/db-init.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro" in services["db"]["volumes"]
    assert "CREATE ROLE isa_owner LOGIN NOSUPERUSER" in init
    assert "CREATE ROLE isa_app LOGIN NOSUPERUSER" in init
    assert "ALTER DATABASE isa_portal OWNER TO isa_owner" in init


def test_the_app_signs_audit_checkpoints_with_a_key_from_a_secret():
    app = COMPOSE["services"]["app"]
    assert app["environment"]["AUDIT_SIGNING_KEY_FILE"] == "/run/secrets/audit_signing_key"
    assert app["secrets"] == ["audit_signing_key"]
    assert "audit-checkpoints:/app/audit-checkpoints" in app["volumes"]
    assert _left_out_of_the_image("secrets/audit-signing-key.pem")


def test_dockerfile_runs_the_same_commands_as_compose():
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = " ".join(COMPOSE["services"]["app"]["command"].split())
    assert "gunicorn isa_portal.wsgi:application" in dockerfile
    assert "migrate --noinput" in dockerfile
    assert "pip install ." in dockerfile
    gunicorn = re.search(r"gunicorn [^\"]+", dockerfile).group(0).strip()
    assert gunicorn in command


def _left_out_of_the_image(path: str) -> bool:
    """Whether .dockerignore keeps ``path`` out of ``COPY . .``: a pattern matches it or a folder above it
    (``**/name`` a name at any depth)."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert not any(pattern.startswith("!") for pattern in patterns), "exceptions are not modelled here"
    parts = path.split("/")
    for depth in range(1, len(parts) + 1):
        for pattern in patterns:
            if pattern.startswith("**/"):
                if fnmatch(parts[depth - 1], pattern.removeprefix("**/")):
                    return True
            elif fnmatch("/".join(parts[:depth]), pattern):
                return True
    return False


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        ".local/secret_key",
        "secrets/audit-signing-key.pem",
        "db.sqlite3",
        "backups/isa_portal-20261206T0215.dump",
        "isa_portal.dump",
        "private-media/agreements/protocol.pdf",
        "staticfiles/css/app.css",
        ".git/config",
        ".venv/bin/python",
        "isa_portal/__pycache__/settings.cpython-313.pyc",
        ".hypothesis/examples/x",
        "tests/conftest.py",
        "devdata/volume/decisions.py",
        "bench/run",
        "frontend/node_modules/govuk-frontend/package.json",
        "frontend/src/app.scss",
    ],
)
def test_the_image_leaves_out_local_state_secrets_and_development_tools(path):
    assert _left_out_of_the_image(path)


def test_the_image_keeps_what_the_application_runs_on():
    installed = re.search(r"INSTALLED_APPS = \[(.*?)\]", SETTINGS, re.S).group(1)
    ours = [name for name in re.findall(r'"(\w+)"', installed) if (ROOT / name).is_dir()]
    assert len(ours) >= 7
    for path in [
        "manage.py",
        "pyproject.toml",
        "README.md",
        "templates/base.html",
        "static/css/app.css",
        *(f"{app}/apps.py" for app in ours),
    ]:
        assert (ROOT / path).exists(), path
        assert not _left_out_of_the_image(path), path


def test_the_image_runs_as_a_user_that_is_not_root():
    """The last USER comes after every build step, is numeric (so runAsNonRoot can check it) and not 0;
    that user may write only the three folders the app writes to; no service switches back to root."""
    lines = [" ".join(line.split()) for line in (ROOT / "Dockerfile").read_text().splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#") and line.split()[0].isupper()]
    users = [index for index, line in enumerate(instructions) if line.startswith("USER ")]
    assert users, "the Dockerfile never leaves root"
    last = users[-1]
    assert all(not line.startswith(("RUN", "COPY", "ADD")) for line in instructions[last + 1 :])
    user, _, group = instructions[last].removeprefix("USER ").partition(":")
    assert user.isdigit() and int(user) != 0
    assert not group or (group.isdigit() and int(group) != 0)
    text = (ROOT / "Dockerfile").read_text()
    assert f"--uid {user}" in text
    chowned = re.search(r"chown (\S+) ([^\n]+)", text)
    assert chowned.group(1).split(":")[0] == "isa"
    assert set(chowned.group(2).split()) == {
        "/app/private-media",
        "/app/staticfiles",
        "/app/audit-checkpoints",
    }
    for name, service in COMPOSE["services"].items():
        assert str(service.get("user", "10001")).split(":")[0] not in ("0", "root"), name


def test_the_scheduler_service_runs_the_daily_jobs_as_the_app_does():
    """The same image, role, key and checkpoint folder as the app; after the migrations; restarted."""
    services = COMPOSE["services"]
    scheduler, app = services["scheduler"], services["app"]
    assert scheduler["command"] == "python manage.py run_scheduler"
    assert scheduler["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert scheduler["restart"] == "unless-stopped"
    assert scheduler["build"] == app["build"]
    for name in ("DATABASE_URL", "SECRET_KEY", "AUDIT_SIGNING_KEY_FILE", "AUDIT_CHECKPOINT_DIR", "EMAIL_URL"):
        assert scheduler["environment"][name] == app["environment"][name], name
    assert scheduler["secrets"] == app["secrets"]
    assert "audit-checkpoints:/app/audit-checkpoints" in scheduler["volumes"]
    assert "apscheduler" in (ROOT / "pyproject.toml").read_text()
