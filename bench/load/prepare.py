"""Load-test accounts: copies of real users of the data set with a known authenticator key.

Run by bench/load/run.sh through ``manage.py shell`` on a throwaway database (a copy of the
volume data set, or the demo partnership). The people copied are those the benchmark signs in
as (``bench.cast``: a practitioner, a lead and an IG officer of the agency with the most
decisions) and an administrator. Each simulated person gets an account of their own (a code
works once per 30 seconds per device, as in production), in the same agency and role as the
person it copies, so it sees the same records.
"""

import hashlib
import json
import os
from pathlib import Path

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from audit.context import audit_context
from bench import cast as casting

PER_ROLE = int(os.environ.get("LOAD_ACCOUNTS_PER_ROLE", "26"))
PASSWORD = os.environ["LOAD_PASSWORD"]
OUT = Path(os.environ["LOAD_ACCOUNTS_FILE"])

cast = casting.choose()
TEMPLATES = {
    "practitioner": cast.practitioner,
    "lead": cast.lead,
    "ig_officer": cast.ig_officer,
    "admin": User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id").first(),
}

accounts = []
with audit_context(source="command:load-prepare", actor_label="system (load test)"):
    for role, template in TEMPLATES.items():
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
OUT.write_text(
    json.dumps(
        {
            "password": PASSWORD,
            "accounts": accounts,
            "child": cast.child.pk,  # a child of typical history the copies of the practitioner may open
            "decision": cast.decision.pk,
            "outcome": cast.outcome,
        },
        indent=1,
    )
)
print(f"{len(accounts)} load-test accounts written to {OUT}")
