"""E-mails about decisions. Called after the transaction commits, so nobody hears of a write that failed.

Messages carry the reference and a link, never the child's name: e-mail is not
the place for case details.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.permissions import Perm, roles_with

_muted: ContextVar[bool] = ContextVar("decision_notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Send nothing inside this block (demo data: nobody is waiting for those e-mails)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def after_commit(send, *args) -> None:
    """Send once the transaction commits (never for a write that failed), unless muted now."""
    if not _muted.get():
        transaction.on_commit(lambda: send(*args))


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def leads_of(agency_id: int, *, except_user_id: int | None = None) -> list:
    users = get_user_model().objects.filter(agency_id=agency_id, is_active=True).exclude(pk=except_user_id)
    return [user for user in users if user.can(Perm.REVIEW_DECISION)]


def partnership_leads() -> list:
    """The partnership's designated leads: the top rung of the escalation ladder."""
    return list(
        get_user_model().objects.filter(
            is_active=True, role_approved=True, role__in=roles_with(Perm.REVIEW_PARTNERSHIP_TIER)
        )
    )


def _send(template: str, context: dict, recipients: Iterable[str]) -> None:
    recipients = sorted(set(recipients))
    if not recipients:
        return
    context = {"service_name": settings.SERVICE_NAME, **context}
    subject = render_to_string(f"decisions/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"decisions/email/{template}.txt", context)
    send_mail(subject, body, None, recipients)


def review_awaited(decision) -> None:
    """Tell the agency's leads; an agency with no lead but the author falls through to the partnership."""
    leads = leads_of(decision.agency_id, except_user_id=decision.created_by_id) or partnership_leads()
    _send(
        "review_awaited",
        {"decision": decision, "url": absolute(reverse("decisions:detail", args=[decision.pk]))},
        [lead.email for lead in leads],
    )


def escalated(decision, review) -> None:
    """Tell the next rung of the ladder that a disagreement waits for them, and how long they have."""
    from decisions.models import EscalationTier

    if review.escalated_to == EscalationTier.PARTNERSHIP:
        recipients = partnership_leads()
    else:
        recipients = [
            lead
            for lead in leads_of(decision.agency_id, except_user_id=decision.created_by_id)
            if lead.pk != review.reviewer_id
        ]
    _send(
        "escalated",
        {
            "decision": decision,
            "review": review,
            "working_days": settings.ESCALATION_RESPONSE_WORKING_DAYS,
            "url": absolute(reverse("decisions:detail", args=[decision.pk])),
        },
        [user.email for user in recipients if user.pk != review.reviewer_id],
    )


def returned(decision, review) -> None:
    _send(
        "returned",
        {
            "decision": decision,
            "review": review,
            "url": absolute(reverse("decisions:detail", args=[decision.pk])),
        },
        [decision.created_by.email],
    )


def review_digest(lead, decisions: list) -> None:
    _send(
        "review_digest",
        {
            "lead": lead,
            "decisions": [
                (decision, absolute(reverse("decisions:detail", args=[decision.pk])))
                for decision in decisions
            ],
            "queue_url": absolute(reverse("decisions:review_queue")),
        },
        [lead.email],
    )
