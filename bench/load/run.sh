#!/usr/bin/env bash
# A bounded load run on this machine only: PostgreSQL and gunicorn (HTTPS, a throwaway
# self-signed certificate) on 127.0.0.1, production settings (DEBUG off, two-step sign-in
# on), a throwaway copy of the data set, then locust in headless mode. `make load` runs it.
#
# The data set (LOAD_FROM): the volume data set isa_volume (`manage.py generate_volume`), copied
# into the throwaway database with CREATE DATABASE ... TEMPLATE (nothing may be connected to it
# meanwhile), or `demo` for the demo partnership (`seed_demo`), seeded afresh.
# gunicorn keeps an idle connection 10 s, not its default 2: a browser resends a request its reused
# connection lost, the load client does not, and on a busy machine its next POST can come later than 2 s.
# Bounds (environment): LOAD_USERS (50 people), LOAD_SPAWN_RATE (2 a second), LOAD_RUN_TIME (5m),
# LOAD_MAX_REQUESTS (30000), LOAD_WORKERS (4 gunicorn workers), LOAD_THREADS (4 a worker).
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${PY:-.venv/bin/python}
LOCUST=${LOCUST:-.venv/bin/locust}
PORT=${LOAD_PORT:-8204}
DB=${LOAD_DATABASE_NAME:-isa_load}
FROM=${LOAD_FROM:-isa_volume}
USERS=${LOAD_USERS:-50}
RUN_TIME=${LOAD_RUN_TIME:-5m}
WORK=.local/load
mkdir -p "$WORK"

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB"
# localhost too: the passkeys' relying party must be a host name (PASSKEY_RP_ID), not an address.
export DEBUG=false OTP_REQUIRED=true ALLOWED_HOSTS=127.0.0.1,localhost PASSKEY_RP_ID=localhost LOG_LEVEL=WARNING
export SECRET_KEY
SECRET_KEY=$("$PY" -c "import secrets; print(secrets.token_urlsafe(50))")
export STATIC_ROOT="$WORK/static"
export LOAD_PASSWORD="load-test-password-$RANDOM-$RANDOM"
export LOAD_ACCOUNTS_FILE="$WORK/accounts.json"
export LOAD_MAX_REQUESTS=${LOAD_MAX_REQUESTS:-30000}

echo "== A fresh database $DB on 127.0.0.1 ($FROM; LOAD_FRESH=0 reuses the last run's)"
[ "${LOAD_FRESH:-1}" = 0 ] || "$PY" - "$DB" "$FROM" <<'PYEOF'
import sys
import psycopg2
name, source = sys.argv[1:]
assert name.startswith("isa_load"), "refusing to drop a database not made for load runs"
connection = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    if source == "demo":
        cursor.execute(f'CREATE DATABASE "{name}"')
    else:
        # A file-level copy: minutes for the volume data set, and the original is never written.
        cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
PYEOF
if [ "$FROM" = demo ]; then
  # The demo seeder is a development tool (devdata), installed for these two commands only:
  # gunicorn serves what a deployment serves.
  DEV_DATA=true "$PY" manage.py migrate --noinput -v 0
  DEV_DATA=true DEMO_PASSWORD="$LOAD_PASSWORD" "$PY" manage.py seed_demo --force > /dev/null
else
  "$PY" manage.py migrate --noinput -v 0
fi
"$PY" manage.py shell < bench/load/prepare.py
"$PY" manage.py collectstatic --noinput -v 0

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2> /dev/null

WORKERS=${LOAD_WORKERS:-4}
THREADS=${LOAD_THREADS:-4}
echo "== gunicorn on https://127.0.0.1:$PORT ($WORKERS workers, $THREADS threads each)"
"$PY" -m gunicorn isa_portal.wsgi --bind "127.0.0.1:$PORT" --workers "$WORKERS" --threads "$THREADS" \
  --certfile "$WORK/cert.pem" --keyfile "$WORK/key.pem" --no-control-socket \
  --keep-alive 10 --log-level warning &
GUNICORN=$!
# The machine's load average every 10 s while the run lasts, for the report.
( while sleep 10; do cut -d' ' -f1 /proc/loadavg; done ) > "$WORK/loadavg.txt" &
SAMPLER=$!
trap 'kill $GUNICORN $SAMPLER 2> /dev/null; wait $GUNICORN 2> /dev/null || true' EXIT
for _ in $(seq 100); do
  curl -ksf "https://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.2
done

echo "== locust: $USERS people, $RUN_TIME, at most $LOAD_MAX_REQUESTS requests; load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$LOCUST" -f bench/load/locustfile.py --headless --host "https://127.0.0.1:$PORT" \
  --users "$USERS" --spawn-rate "${LOAD_SPAWN_RATE:-2}" --run-time "$RUN_TIME" \
  --csv "$WORK/result" --only-summary --loglevel WARNING || status=$?
kill $SAMPLER 2> /dev/null || true

"$PY" - "$WORK/result_stats.csv" "$WORK/loadavg.txt" "$FROM" "$USERS" "$RUN_TIME" <<'PYEOF'
import csv, datetime, sys
stats, loads, source, users, run_time = sys.argv[1:]
rows = list(csv.DictReader(open(stats)))
samples = [float(line) for line in open(loads) if line.strip()]
when = datetime.datetime.now(datetime.UTC).strftime("%d %b %Y %H:%M UTC")
print(f"\n{users} people for {run_time} on {source}, {when}; load average (1 min) during the run: "
      + (f"mean {sum(samples) / len(samples):.1f}, max {max(samples):.1f}" if samples else "not sampled"))
print("\n| page kind | requests | errors | p50 ms | p95 ms | p99 ms | max ms |")
print("|---|---|---|---|---|---|---|")
for row in rows:
    name = "**all**" if row["Name"] == "Aggregated" else row["Name"]
    count, failures = int(row["Request Count"]), int(row["Failure Count"])
    print(f"| {name} | {count:,} | {failures} ({100 * failures / max(count, 1):.2f}%) | {row['50%']} | "
          f"{row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} |")
total = next(row for row in rows if row["Name"] == "Aggregated")
print(f"\n{float(total['Requests/s']):.1f} requests a second over the run.")
PYEOF
exit $status
