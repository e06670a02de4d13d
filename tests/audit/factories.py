from audit.context import audit_context
from audit.models import AuditEntry, Event
from audit.services import record_event


def write_entries(count: int, *, actor=None, event: Event = Event.VIEW) -> list[AuditEntry]:
    """``count`` access entries about the actor (a user model is always there to point at)."""
    with audit_context(source="tests", actor=actor, remote_addr="192.0.2.10"):
        return [record_event(event, actor, label=f"entry {n}") for n in range(count)]
