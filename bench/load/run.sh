#!/usr/bin/env bash
# A bounded load run on this machine only: PostgreSQL and gunicorn (HTTPS, a throwaway
# self-signed certificate) on 127.0.0.1, production settings (DEBUG off, two-step
# sign-in on), a throwaway database, then locust in headless mode. `make load` runs it.
#
# Bounds (environment): LOAD_USERS (24 people), LOAD_SPAWN_RATE (4 a second),
# LOAD_RUN_TIME (90s), LOAD_MAX_REQUESTS (6000), LOAD_WORKERS (3 gunicorn workers).
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-.venv/bin/python}
LOCUST=${LOCUST:-.venv/bin/locust}
PORT=${LOAD_PORT:-8204}
DB=${LOAD_DATABASE_NAME:-isa_load}
WORK=.local/load
mkdir -p "$WORK"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
export DEBUG=false OTP_REQUIRED=true ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export SECRET_KEY
SECRET_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
export STATIC_ROOT="$WORK/static"
export LOAD_PASSWORD="load-test-password-$RANDOM-$RANDOM"
export LOAD_ACCOUNTS_FILE="$WORK/accounts.json"
export LOAD_MAX_REQUESTS=${LOAD_MAX_REQUESTS:-6000}

echo "== A fresh database $DB on 127.0.0.1"
"$PY" - "$DB" <<'PYEOF'
import sys
import psycopg2
name = sys.argv[1]
assert name.startswith("isa_load"), "refusing to drop a database not made for load runs"
connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    cursor.execute(f'CREATE DATABASE "{name}"')
PYEOF
# The demo seeder is a development tool (devdata), installed for these two commands only:
# gunicorn serves what a deployment serves.
DEV_DATA=true "$PY" manage.py migrate --noinput -v 0
DEV_DATA=true DEMO_PASSWORD="$LOAD_PASSWORD" "$PY" manage.py seed_demo --force > /dev/null
"$PY" manage.py shell < bench/load/prepare.py
"$PY" manage.py collectstatic --noinput -v 0

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2> /dev/null

echo "== gunicorn on https://127.0.0.1:$PORT (${LOAD_WORKERS:-3} workers)"
"$PY" -m gunicorn isa_portal.wsgi --bind "127.0.0.1:$PORT" --workers "${LOAD_WORKERS:-3}" \
  --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" --no-control-socket \
  --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2> /dev/null; wait $GUNICORN 2> /dev/null || true' EXIT
for _ in $(seq 50); do
  curl -ksf "https://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.2
done

echo "== locust: ${LOAD_USERS:-24} people, ${LOAD_RUN_TIME:-90s}, at most $LOAD_MAX_REQUESTS requests"
status=0
"$LOCUST" -f bench/load/locustfile.py --headless --host "https://127.0.0.1:$PORT" \
  --users "${LOAD_USERS:-24}" --spawn-rate "${LOAD_SPAWN_RATE:-4}" --run-time "${LOAD_RUN_TIME:-90s}" \
  --csv "$WORK/result" --only-summary --loglevel WARNING || status=$?

"$PY" - "$WORK/result_stats.csv" <<'PYEOF'
import csv, sys
rows = {row["Name"]: row for row in csv.DictReader(open(sys.argv[1]))}
total = rows["Aggregated"]
count, failures = int(total["Request Count"]), int(total["Failure Count"])
print(f"\nrequests {count}, errors {failures} ({100 * failures / max(count, 1):.2f}%), "
      f"{float(total['Requests/s']):.1f} requests a second")
print(f"latency ms: median {total['50%']}, 95th {total['95%']}, 99th {total['99%']}, max {float(total['Max Response Time']):.0f}")
PYEOF
exit $status
