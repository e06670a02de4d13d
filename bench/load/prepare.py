"""Load-test accounts: copies of each demo user with a known authenticator key.

Run by bench/load/run.sh through ``manage.py shell`` on a throwaway database
after ``seed_demo``. Each simulated person gets an account of their own (a code
works once per 30 seconds per device, as in production), in the same agency and
role as the demo user it copies, so it sees the same records.
"""

import hashlib
import json
import os
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.context import audit_context

PER_ROLE = int(os.environ.get("LOAD_ACCOUNTS_PER_ROLE", "10"))
PASSWORD = os.environ["LOAD_PASSWORD"]
OUT = Path(os.environ["LOAD_ACCOUNTS_FILE"])
TEMPLATES = {
    "practitioner": "practitioner@demo.test",
    "lead": "lead@demo.test",
    "ig_officer": "ig@demo.test",
    "admin": "admin@demo.test",
}

accounts = []
with audit_context(source="command:load-prepare", actor_label="system (load test)"):
    for role, template_email in TEMPLATES.items():
        template = User.objects.get(email=template_email)
        for n in range(PER_ROLE):
            email = f"load-{role}-{n}@load.test"
            user, _ = User.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": f"Load {role} {n}",
                    "agency": template.agency,
                    "role": template.role,
                    "partnership_wide": template.partnership_wide,
                },
            )
            user.set_password(PASSWORD)
            user.save()
            key = hashlib.sha1(email.encode(), usedforsecurity=False).hexdigest()
            TOTPDevice.objects.update_or_create(
                user=user, name="Authenticator app", defaults={"key": key, "confirmed": True}
            )
            accounts.append({"role": role, "email": email, "key": key})

OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({"password": PASSWORD, "accounts": accounts}, indent=1))
print(f"{len(accounts)} load-test accounts written to {OUT}")
