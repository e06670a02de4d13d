"""Where a page's time goes: the benchmark's pages, profiled in-process with pyinstrument.

    DATABASE_URL=postgres://.../isa_volume .venv/bin/python -m bench.profile [--requests 50] [name ...]

Each page named (a word of its name in ``bench.measure``, e.g. ``register`` or ``record``; all
when none is named) is requested through Django's test client with the same people and records
as ``bench/run`` chooses, production settings (``DEBUG`` off, two-step sign-in on), after a few
untimed requests. Everything runs in one transaction that is rolled back at the end: the sessions,
authenticators and audit entries the pages write are not kept. (So the audit chain's lock is held
for the whole run; run it when nothing else writes to that database.) Prints pyinstrument's call
tree per page and, with ``--html DIR``, writes an HTML flame view of each.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("OTP_REQUIRED", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_PROXY_SSL_HEADER", "true")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("EMAIL_URL", "consolemail://")
# What bench/run collected (run it once first, or `manage.py collectstatic` with this STATIC_ROOT).
os.environ.setdefault("STATIC_ROOT", ".local/bench/static")
os.environ.setdefault("SECRET_KEY", "bench-profile-" + os.urandom(16).hex())

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from bench import cast as casting  # noqa: E402
from bench.measure import _pages  # noqa: E402


def _cpu_ms(client: Client, path: str, requests: int) -> float:
    """CPU time of this process a request (the database's own work is in its server, not here):
    steadier than wall time on a busy machine."""
    start = time.process_time()
    for _ in range(requests):
        client.get(path)
    return (time.process_time() - start) * 1000 / requests


class _RolledBack(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="words of the pages' names (default: every page)")
    parser.add_argument("--requests", type=int, default=50, help="profiled requests a page (50)")
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--html", help="a folder for an HTML flame view of each page")
    parser.add_argument("--interval", type=float, default=0.0002, help="sampling interval in seconds")
    args = parser.parse_args()
    try:
        with transaction.atomic():
            _profile(args)
            raise _RolledBack
    except _RolledBack:
        pass
    return 0


def _profile(args) -> None:
    cast = casting.choose()
    pages, _ = _pages(cast)
    cookies = casting.sign_in(cast)
    chosen = [
        page
        for page in pages
        if not args.names or any(word.lower() in page.name.lower() for word in args.names)
    ]
    for page in chosen:
        client = Client(headers={"X-Forwarded-Proto": "https"})
        if page.who:
            name, key = cookies[page.who].split("=", 1)
            client.cookies[name] = key
        for path in filter(None, (page.path, page.peer_path)):
            for _ in range(args.warm_up):
                response = client.get(path)
                if response.status_code != 200:
                    raise SystemExit(f"GET {path} answered {response.status_code}")
        cpu = _cpu_ms(client, page.path, args.requests)
        peer = (
            f", its lean peer {_cpu_ms(client, page.peer_path, args.requests):.2f} ms"
            if page.peer_path
            else ""
        )
        print(f"\n=== {page.name}: {cpu:.2f} ms of this process's CPU a request{peer}")
        profiler = Profiler(interval=args.interval)
        profiler.start()
        for _ in range(args.requests):
            client.get(page.path)
        profiler.stop()
        session = profiler.last_session
        per_request = session.duration / args.requests * 1000
        print(f"{per_request:.1f} ms a request of wall time while profiled ({args.requests} requests)")
        print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))
        if args.html:
            os.makedirs(args.html, exist_ok=True)
            slug = "".join(c if c.isalnum() else "-" for c in page.name.lower()).strip("-")
            with open(os.path.join(args.html, f"{slug}.html"), "w") as out:
                out.write(profiler.output_html())


if __name__ == "__main__":
    sys.exit(main())
