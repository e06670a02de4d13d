# ISA Portal. `make run` for a local demo on SQLite; `make test` for the whole suite on PostgreSQL.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
PYTEST_WORKERS ?= 2

.PHONY: run test install check lint migrations-check assets clean load bench backup restore backup-check

$(PY):
	@python=$$(scripts/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet ".[test]"
	@touch $(STAMP)

install: $(STAMP)

# A local demo: SQLite file in the project folder, debug on, demo partnership seeded.
# Two-step sign-in is off for the demo only (settings refuse that when DEBUG is off); the
# development-data app (devdata: seed_demo) is installed.
run: export DEBUG ?= true
run: export OTP_REQUIRED ?= false
run: export DEV_DATA ?= true
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .

migrations-check: install
	DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

# The whole suite on PostgreSQL with Debian's Chromium for the browser tests.
test: install
	scripts/ensure-postgres
	scripts/ensure-chromium
	scripts/ensure-system-libs
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=tests.settings DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run
	# Bytecode written, even where the environment says PYTHONDONTWRITEBYTECODE: otherwise each of
	# the suite's processes (both workers, every manage.py and gunicorn a test starts) compiles
	# the project and pytest rewrites every test module again, from source, each time.
	env -u PYTHONDONTWRITEBYTECODE $(VENV)/bin/pytest -n $(PYTEST_WORKERS)

# A bounded load run (locust, from the optional `load` extra) against gunicorn and
# PostgreSQL on 127.0.0.1, with production settings. See "Load" in README.md.
load: install
	$(PIP) install --quiet ".[load]"
	scripts/ensure-postgres
	bench/load/run.sh

# The performance benchmark of issue 8: gunicorn and PostgreSQL on 127.0.0.1, production settings,
# against the database BENCH_DATABASE_URL (default isa_volume, from `manage.py generate_volume`).
# Prints every figure against its budget; see bench/README.md.
bench: install
	scripts/ensure-postgres
	bench/run

# Backups (README "Backups and restore"): pg_dump's custom format of DATABASE_URL into backups/.
BACKUP_FILE ?= backups/isa_portal-$(shell date -u +%Y%m%dT%H%MZ).dump
backup:
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL to the database to back up."; exit 2; }
	mkdir -p $(dir $(BACKUP_FILE))
	umask 077 && pg_dump --format=custom --file "$(BACKUP_FILE)" --dbname "$$DATABASE_URL"
	@echo "Backup written to $(BACKUP_FILE). Keep it like the database: it holds every record."

# Restore BACKUP_FILE into RESTORE_DATABASE_URL, an empty database owned by the owner role; objects
# are owned by the restoring role, grants are not copied: then run migrate as the owner with
# DATABASE_APP_ROLE set (docker compose's "migrate" service does) to grant the application role.
restore:
	@test -n "$$RESTORE_DATABASE_URL" || { echo "Set RESTORE_DATABASE_URL to an empty database."; exit 2; }
	@test -f "$(BACKUP_FILE)" || { echo "Set BACKUP_FILE to the backup to restore."; exit 2; }
	pg_restore --no-owner --no-acl --exit-on-error --single-transaction --dbname "$$RESTORE_DATABASE_URL" "$(BACKUP_FILE)"
	@echo "Restored. Now: DATABASE_URL=\$$RESTORE_DATABASE_URL DATABASE_APP_ROLE=isa_app python manage.py migrate && python manage.py verify_audit"

# Prove a backup restores: dump DATABASE_URL, restore into a fresh database, verify_audit there.
backup-check: install
	$(PY) scripts/backup-restore-check

# Rebuild the committed GOV.UK Frontend CSS/JS (needs Node; running the app does not).
assets:
	frontend/build.sh

clean:
	rm -rf $(VENV) .local staticfiles
