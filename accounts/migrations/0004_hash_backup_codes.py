"""Backup codes stored in clear until now are replaced by their salted hashes (accounts.services,
``backup_code_hash``): the same codes keep working, and a database reader can no longer use them.

Written here rather than imported, so the migration hashes the same way whatever the code becomes.
There is no way back: the reverse leaves the hashes in place (the codes cannot be recovered).
"""

import base64
import hashlib
import secrets

from django.db import migrations

ITERATIONS = 20_000
CLEAR_LENGTH = 10  # our codes (accounts.services._backup_code); a hash is 16 characters


def _hash(code: str) -> str:
    salt = secrets.token_bytes(4)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt, ITERATIONS, dklen=8)
    return base64.urlsafe_b64encode(salt + digest).decode()


def hash_codes(apps, schema_editor):
    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().iterator():
        if len(token.token) == CLEAR_LENGTH:
            token.token = _hash(token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_partnership_designated_lead_role"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, migrations.RunPython.noop)]
