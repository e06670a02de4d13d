"""The demo partnership: what ``manage.py seed_demo`` builds, one part of the product at a time.

Each module here seeds one part's records through that part's services, so the audit trail
shows who did what. Its ``seed(demo)`` is idempotent (get-or-create on natural keys) and
reads what earlier seeders left in ``demo``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module

# In order: each seeder may use what the ones before it made.
SEEDERS = [
    "devdata.demo.agencies",
    "devdata.demo.people",
    "devdata.demo.agreements",  # signatures and incidents name the users who recorded them
    "devdata.demo.consent",
    "devdata.demo.decisions",  # last: decisions need the children, consents, agencies and users before it
]


@dataclass
class Demo:
    password: str
    log: Callable[[str], None]
    agencies: dict = field(default_factory=dict)  # short key -> Agency
    users: dict = field(default_factory=dict)  # email -> User


def seed_all(demo: Demo) -> Demo:
    for module in SEEDERS:
        import_module(module).seed(demo)
    return demo
