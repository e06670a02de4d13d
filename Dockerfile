# ISA Portal under gunicorn. Static files are served by WhiteNoise; PDFs need Pango.
FROM python:3.13-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install .
# .dockerignore keeps local state, secrets, tests and development tools out of the image.
COPY . .

# The app runs as isa (uid 10001, not root), which may write only uploads, the static files collected
# on start and the audit checkpoints (AUDIT_CHECKPOINT_DIR); the code stays root's, read-only to it.
# USER is numeric so an orchestrator can check it is not root (Kubernetes runAsNonRoot).
RUN groupadd --system --gid 10001 isa \
    && useradd --system --uid 10001 --gid isa --home /app --no-create-home --shell /usr/sbin/nologin isa \
    && mkdir -p /app/private-media /app/staticfiles /app/audit-checkpoints \
    && chown isa:isa /app/private-media /app/staticfiles /app/audit-checkpoints
USER 10001:10001

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py collectstatic --noinput && gunicorn isa_portal.wsgi:application --bind 0.0.0.0:8000 --workers 2 --threads 4 --timeout 120 --no-control-socket"]
