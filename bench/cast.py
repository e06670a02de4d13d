"""Who the benchmark signs in as, and which records it opens, chosen from the data set.

The agency is the one with the most decisions (the worst case for its lists); the
people are real users of that agency, one per role; the child has a typical history
(the median number of decisions among the agency's children). Nothing is invented,
except what signing in needs: a session per person and, for a person without one, a
confirmed authenticator app (an audited record, kept for the next run).
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends.db import SessionStore
from django.db.models import Count
from django.utils.module_loading import import_string
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.middleware import LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from accounts.models import Role, User
from agreements.models import Agency
from audit.context import audit_context
from consent.models import Child
from decisions.models import Decision, Outcome, Status


class CastMissing(Exception):
    """The data set lacks someone or something the benchmark needs."""


@dataclass
class Cast:
    agency: Agency
    practitioner: User
    lead: User
    ig_officer: User  # of the agency
    partnership_ig: User  # sees every agency
    child: Child
    decision: Decision  # the child's newest submitted decision
    outcome: str  # the decision log's filter: the agency's most common outcome
    devices_created: int = 0

    def people(self) -> dict[str, User]:
        return {
            "practitioner": self.practitioner,
            "lead": self.lead,
            "ig_officer": self.ig_officer,
            "partnership_ig": self.partnership_ig,
        }


def _active(role: str, **scope) -> "User | None":
    return User.objects.filter(is_active=True, role=role, **scope).order_by("id").first()


def choose() -> Cast:
    submitted = Decision.objects.exclude(status=Status.DRAFT)
    busiest = submitted.values("agency").annotate(n=Count("id")).order_by("-n", "agency")
    partnership_ig = _active(Role.IG_OFFICER, partnership_wide=True)
    if partnership_ig is None:
        raise CastMissing("no active partnership-wide IG officer")
    for row in busiest[:20]:
        agency_id = row["agency"]
        lead = _active(Role.LEAD, agency_id=agency_id)
        ig_officer = _active(Role.IG_OFFICER, agency_id=agency_id, partnership_wide=False)
        authors = (
            submitted.filter(
                agency_id=agency_id, created_by__role=Role.PRACTITIONER, created_by__is_active=True
            )
            .values("created_by")
            .annotate(n=Count("id"))
            .order_by("-n", "created_by")
        )
        top_author = authors.first()
        if lead and ig_officer and top_author:
            break
    else:
        raise CastMissing("no agency with decisions, an active practitioner, lead and agency IG officer")
    practitioner = User.objects.get(pk=top_author["created_by"])
    child = _typical_child(agency_id, practitioner)
    decision = submitted.filter(agency_id=agency_id, child=child).order_by("-created", "-id").first()
    outcomes = submitted.filter(agency_id=agency_id).values("outcome").annotate(n=Count("id")).order_by("-n")
    outcome = next((row["outcome"] for row in outcomes if row["outcome"]), Outcome.SHARE)
    return Cast(
        agency=Agency.objects.get(pk=agency_id),
        practitioner=practitioner,
        lead=lead,
        ig_officer=ig_officer,
        partnership_ig=partnership_ig,
        child=child,
        decision=decision,
        outcome=outcome,
    )


def _typical_child(agency_id: int, practitioner: User) -> Child:
    """A child the practitioner sees with the median number of the agency's decisions about them."""
    counts = list(
        Decision.objects.exclude(status=Status.DRAFT)
        .filter(agency_id=agency_id)
        .values_list("child", flat=False)
        .annotate(n=Count("id"))
        .order_by("n", "child")
    )
    middle = len(counts) // 2
    visible = Child.objects.visible_to(practitioner)
    # Outward from the median, the first child the practitioner may open.
    for offset in range(min(len(counts), 200)):
        for index in (middle + offset, middle - offset):
            if 0 <= index < len(counts):
                child = visible.filter(pk=counts[index][0]).first()
                if child is not None:
                    return child
    raise CastMissing("no child with decisions that the practitioner may open")


def sign_in(cast: Cast) -> dict[str, str]:
    """A session per person, as the real sign-in leaves it; returns a Cookie header per person."""
    cookies = {}
    for key, user in cast.people().items():
        device, created = _authenticator(user)
        cast.devices_created += created
        cookies[key] = session_cookie(user, device)
    return cookies


def session_cookie(user: User, device: TOTPDevice) -> str:
    """A session holding what the real sign-in leaves after both steps.

    The password step (``django.contrib.auth.login``) stores the user, the backend and
    the password hash; our ``user_logged_in`` receiver the sign-in time and last activity;
    ``django_otp.login`` the confirmed device. The receiver's list of a person's sessions
    (``UserSession``, audited) is left out: no page reads it on the way in.
    """
    now = int(time.time())
    session = SessionStore()
    session.update(
        {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: password_backend(),
            HASH_SESSION_KEY: user.get_session_auth_hash(),
            SIGNED_IN_AT_KEY: now,
            LAST_SEEN_KEY: now,
            DEVICE_ID_SESSION_KEY: device.persistent_id,
        }
    )
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def password_backend() -> str:
    """The backend that accepts a password in the real sign-in (django-axes's only refuses)."""
    return next(
        path
        for path in settings.AUTHENTICATION_BACKENDS
        if issubclass(import_string(path), ModelBackend) and not path.startswith("axes.")
    )


def _authenticator(user: User) -> tuple[TOTPDevice, bool]:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        return device, False
    # A product record, audited as any device is; kept, so the next run needs none.
    with audit_context(source="command:bench", actor_label="system (benchmark)"):
        return TOTPDevice.objects.create(user=user, name="Benchmark authenticator", confirmed=True), True


def sign_out(cookies: dict[str, str]) -> None:
    for cookie in cookies.values():
        SessionStore(session_key=cookie.split("=", 1)[1]).delete()
