"""The audit trail of the synthetic partnership: entries in time order, hash-chained as the app chains them.

The application's INSERT stamps each entry's hashes under an advisory lock
(``audit.chain.stamp``). Here the same hashes are computed in Python, in id order, with
``audit.chain``'s own layout (``canonical_json``) and link (``link_hash``), and the rows are
loaded with COPY. What the generator does itself is encode each value once, the way
``audit.chain.canonical_content`` encodes it from the row PostgreSQL will give back (several
times faster than going through Python values for each of ten million rows);
tests/test_generate_volume.py checks the two agree and ``verify_audit`` checks the whole chain.

Entries are made out of order (a decision's views come weeks after its creation), so they
wait in :class:`Pending` until every entry that could come before them has been made; the
:class:`Chain` then gives them ids in time order: the trail reads as one written over five years.
"""

from bisect import bisect_left
from dataclasses import dataclass, field

from audit import chain
from devdata.volume.tables import NULL, escape, iso_time, json_string

CREATE, UPDATE, ACCESS = 0, 1, 3  # auditlog's LogEntry.Action values
COMMAND = "command:generate_volume"
WEB = "web"


def jnum(number: int | None) -> str:
    return "null" if number is None else str(number)


def cnum(number: int | None) -> str:
    return NULL if number is None else str(number)


# The hashed fields the generator never fills.
UNUSED = {"serialized_data": "null", "changes_text": '""', "cid": "null", "remote_port": "null"}


@dataclass(frozen=True)
class Actor:
    """Who an entry is by, with the parts of the entry that depend on them encoded once."""

    id: int | None
    email: str
    role: str
    agency_id: int | None
    address: str | None = None  # where their web requests come from
    # Their hashed fields as audit.chain encodes them, with those the generator never fills.
    canonical: dict[str, str] = field(init=False)
    copied: tuple[str, str, str] = field(init=False)  # email, role, and both ids as COPY writes them
    address_json: str = field(init=False)

    def __post_init__(self):
        object.__setattr__(
            self,
            "canonical",
            UNUSED
            | {
                "actor_agency_id": jnum(self.agency_id),
                "actor_email": json_string(self.email),
                "actor_id": jnum(self.id),
                "actor_role": json_string(self.role),
            },
        )
        ids = f"{cnum(self.id)}\t{cnum(self.agency_id)}"
        object.__setattr__(self, "copied", (escape(self.email), escape(self.role), ids))
        object.__setattr__(self, "address_json", json_string(self.address) if self.address else "null")


SYSTEM = Actor(None, "system (generate_volume)", "", None)


@dataclass(slots=True)
class Entry:
    """One audit entry to be written. ``changes`` and ``detail`` are already compact JSON text."""

    action: int
    event: str
    content_type_id: int
    object_id: int | None
    object_repr: str
    actor: Actor
    agency_id: int | None
    changes: str | None = None
    detail: str | None = None
    source: str = COMMAND


def canonical(entry: Entry, timestamp: str) -> str:
    """``audit.chain.canonical_content`` of the stored row (as text; the hash takes its UTF-8)."""
    object_id = entry.object_id
    return chain.canonical_json(
        {
            **entry.actor.canonical,
            "action": str(entry.action),
            "additional_data": entry.detail or "null",
            "agency_id": jnum(entry.agency_id),
            "changes": entry.changes or "null",
            "content_type_id": str(entry.content_type_id),
            "event": json_string(entry.event),
            "object_id": jnum(object_id),
            "object_pk": '""' if object_id is None else f'"{object_id}"',
            "object_repr": json_string(entry.object_repr),
            "remote_addr": entry.actor.address_json if entry.source == WEB else "null",
            "source": json_string(entry.source),
            "timestamp": f'"{timestamp}"',
        }
    )


# The audit table's columns in the order :meth:`Chain.line` writes them.
COLUMNS = (
    "id", "object_pk", "object_id", "object_repr", "serialized_data", "action", "changes_text",
    "changes", "cid", "remote_addr", "remote_port", "timestamp", "additional_data", "actor_email",
    "event", "actor_role", "source", "actor_id", "actor_agency_id", "agency_id", "content_type_id",
    "entry_hash", "prev_hash",
)  # fmt: skip

# An entry ready to be chained: (when, canonical content, its COPY columns between id and hashes).
Rendered = tuple[int, str, str]


def render(at: int, entry: Entry) -> Rendered:
    timestamp = iso_time(at)
    actor = entry.actor
    object_id, object_pk = (NULL, "") if entry.object_id is None else (entry.object_id, entry.object_id)
    agency_id = NULL if entry.agency_id is None else entry.agency_id
    address = actor.address if entry.source == WEB and actor.address else NULL
    changes = NULL if entry.changes is None else escape(entry.changes)
    detail = NULL if entry.detail is None else escape(entry.detail)
    columns = (
        f"{object_pk}\t{object_id}\t{escape(entry.object_repr)}\t{NULL}\t{entry.action}\t\t{changes}\t{NULL}\t"
        f"{address}\t{NULL}\t{timestamp}\t{detail}\t{actor.copied[0]}\t{entry.event}\t{actor.copied[1]}\t"
        f"{entry.source}\t{actor.copied[2]}\t{agency_id}\t{entry.content_type_id}"
    )
    return at, canonical(entry, timestamp), columns


class Pending:
    """Entries wait here until every entry that could come before them has been made."""

    def __init__(self):
        self._waiting: list[tuple[int, int, Entry]] = []
        self._sequence = 0
        self._ready_until = -1

    def add(self, at: int, entry: Entry) -> None:
        if at < self._ready_until:
            raise ValueError("An audit entry came after later ones were written.")
        self._sequence += 1
        self._waiting.append((at, self._sequence, entry))

    def ready(self, until: int | None) -> list[Rendered]:
        """The entries before ``until`` (all when None), in time order, rendered."""
        self._waiting.sort()
        cut = len(self._waiting) if until is None else bisect_left(self._waiting, (until,))
        ready, self._waiting = self._waiting[:cut], self._waiting[cut:]
        if until is not None:
            self._ready_until = until
        return [render(at, entry) for at, _, entry in ready]


class Chain:
    """Numbers entries and links each to the one before, as the application's INSERT would."""

    def __init__(self):
        self.last_id = 0
        self.head = chain.GENESIS

    def line(self, rendered: Rendered) -> str:
        prev = self.head
        self.head = head = chain.link_hash(prev, rendered[1])
        self.last_id += 1
        return f"{self.last_id}\t{rendered[2]}\t{head}\t{prev}\n"
