"""ISA Portal under load: each role signs in (password and authenticator code) and does its daily work.

Run through ``make load`` (bench/load/run.sh), which starts gunicorn and PostgreSQL
on 127.0.0.1 only, prepares the accounts and bounds the run in users, time and
requests. Every page in a round exists: any error answer, a 404 included, counts as a failure.
"""

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import threading
import time

import gevent
import urllib3
from locust import HttpUser, between, events, task

# The run uses its own throwaway certificate on 127.0.0.1 (verify is off on purpose).
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS_FILE"], encoding="utf-8").read())  # noqa: SIM115
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "30000"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

# What each role opens in a working day, most frequent first: (page kind, path, weight). The kind
# names the row of the results; the records are those the benchmark opens (bench/load/prepare.py).
_CHILD, _DECISION, _OUTCOME = ACCOUNTS["child"], ACCOUNTS["decision"], ACCOUNTS["outcome"]
DAILY_WORK = {
    "practitioner": [
        ("home", "/", 4),
        ("children", "/children/", 2),
        ("child's chronology", f"/children/{_CHILD}/", 3),
        ("own decisions", "/decisions/", 4),
        ("decision record", f"/decisions/{_DECISION}/", 3),
        ("agreements", "/agreements/", 1),
    ],
    "lead": [
        ("home", "/", 3),
        ("review queue", "/decisions/review/", 4),
        ("decision record", f"/decisions/{_DECISION}/", 3),
        ("children", "/children/", 2),
        ("agreements", "/agreements/", 1),
    ],
    "ig_officer": [
        ("home", "/", 2),
        ("decision log", f"/decisions/log/?outcome={_OUTCOME}", 3),
        ("audit trail", "/audit/", 3),
        ("signatory register", "/agreements/signatories/", 2),
        ("reports", "/reports/", 1),
    ],
    "admin": [
        ("home", "/", 2),
        ("users", "/accounts/users/", 3),
        ("agreements", "/agreements/", 3),
        ("lockouts", "/accounts/lockouts/", 1),
    ],
}
EVERYONE = [("session", "/accounts/session/", 2), ("sessions", "/accounts/sessions/", 1)]

_accounts = {
    role: itertools.cycle([a for a in ACCOUNTS["accounts"] if a["role"] == role]) for role in DAILY_WORK
}
_lock = threading.Lock()
_sent = itertools.count(1)


def totp(key_hex: str, at: float | None = None) -> str:
    """RFC 6238 code, as the person's phone shows it (SHA-1, 6 digits, 30 s)."""
    counter = int((at or time.time()) // 30)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


_environment = None


@events.init.add_listener
def _remember_environment(environment, **kwargs):
    global _environment
    _environment = environment


@events.request.add_listener
def _stop_at_the_request_limit(**kwargs):
    if next(_sent) == MAX_REQUESTS and _environment is not None and _environment.runner is not None:
        gevent.spawn(_environment.runner.quit)


class Person(HttpUser):
    abstract = True
    role = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        with _lock:
            self.account = next(_accounts[self.role])
        self.client.verify = False  # the run's own self-signed certificate on 127.0.0.1
        self.client.headers["Referer"] = f"{self.host}/"  # Django checks it on HTTPS POSTs
        self.signed_in = self._sign_in()
        self.round = [
            (kind, path) for kind, path, weight in [*DAILY_WORK[self.role], *EVERYONE] for _ in range(weight)
        ]

    def _sign_in(self) -> bool:
        """Both steps, as a person does; False (the failed request already counted) if a step
        answered without the next step's form, so the next task tries again."""
        page = self.client.get("/accounts/login/", name="sign in (page)")
        found = CSRF.search(page.text or "")
        if found is None:
            return False
        step = self.client.post(
            "/accounts/login/",
            {
                "username": self.account["email"],
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": found.group(1),
            },
            name="sign in (password)",
        )
        found = CSRF.search(step.text or "")
        if found is None:
            return False
        with self.client.post(
            "/accounts/two-step/",
            {"code": totp(self.account["key"]), "csrfmiddlewaretoken": found.group(1)},
            name="sign in (code)",
            catch_response=True,
        ) as done:
            if "/accounts/two-step/" in (done.url or "/accounts/two-step/"):
                done.failure("the authenticator code was refused")
                return False
        return True

    @task
    def open_a_page(self) -> None:
        if not self.signed_in:
            self.signed_in = self._sign_in()
            return
        kind, path = random.choice(self.round)  # noqa: S311  (not security: which page to open next)
        with self.client.get(path, name=kind, catch_response=True) as r:
            if r.url is not None and ("/accounts/login/" in r.url or "/accounts/two-step/" in r.url):
                r.failure("signed out unexpectedly")


class Practitioner(Person):
    role = "practitioner"
    weight = 4


class Lead(Person):
    role = "lead"
    weight = 2


class IGOfficer(Person):
    role = "ig_officer"
    weight = 1


class Admin(Person):
    role = "admin"
    weight = 1
