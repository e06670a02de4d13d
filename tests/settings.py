"""Settings for the test suite: the production settings, with test-only defaults.

PostgreSQL always (``DATABASE_URL``, else the server on 127.0.0.1:5432);
``make test`` starts it where needed.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/isa_portal")
os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-any-deployment-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")
os.environ.setdefault("EMAIL_URL", "consolemail://")
# The suite tests the development tools too (seed_demo, generate_volume): DEBUG is off here.
os.environ.setdefault("DEV_DATA", "true")
# The Django admin is off unless ADMIN_URL is set; the suite tests it through its own URLs.
os.environ.setdefault("ADMIN_URL", "django-admin/")

from isa_portal.settings import *  # noqa: F403

# Argon2 is deliberately slow; tests sign in thousands of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PRIVATE_MEDIA_ROOT = BASE_DIR / ".local" / "test-private-media"  # noqa: F405
