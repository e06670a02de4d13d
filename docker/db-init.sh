#!/bin/sh
# Run once by the postgres image when its data volume is first created (/docker-entrypoint-initdb.d).
# Two roles besides the cluster's superuser (README "Database roles"):
#   isa_owner  owns the database's tables and runs the migrations (the "migrate" service);
#   isa_app    the application: no table of its own, not a superuser, so it cannot switch off the
#              triggers that keep the audit trail and sealed records as written.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v owner_password="$OWNER_DB_PASSWORD" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE isa_owner LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'owner_password';
CREATE ROLE isa_app LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'app_password';
ALTER DATABASE isa_portal OWNER TO isa_owner;
ALTER SCHEMA public OWNER TO isa_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO isa_app;
SQL
