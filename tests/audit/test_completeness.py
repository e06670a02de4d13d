"""The audit trail is complete and exact: a generated sequence of sign-ins, failures, sign-outs,
refusals, changes and exports, driven through the views, leaves exactly the expected entries."""

import itertools

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import UserSession
from accounts.permissions import Perm
from agreements.models import Agency, AgencyKind
from audit.context import audit_context
from audit.models import AuditEntry, Event
from tests.auth import mark_second_factor_passed
from tests.factories import PASSWORD
from tests.fuzz import fuzz_settings

pytestmark = pytest.mark.django_db

CREATE, UPDATE, ACCESS = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE, AuditEntry.Action.ACCESS
DELETE = AuditEntry.Action.DELETE
WEB = "127.0.0.1"
ACTIONS = [
    "sign_in",
    "wrong_password",
    "unknown_email",
    "sign_out",
    "open_audit_trail",
    "create_agency",
    "rename_agency",
    "export_audit_trail",
    "download_report",
]
WHO = ["practitioner", "lead", "ig_officer", "partnership_ig", "admin"]
_names = itertools.count()


def _project(entry: AuditEntry) -> tuple:
    return (entry.event, entry.action, entry.actor_id, entry.object_repr, entry.agency_id, entry.remote_addr)


def _body(response) -> None:
    if response.streaming:
        b"".join(response.streaming_content)


class Session:
    """One browser: does each action through the views and says which entry it should leave."""

    def __init__(self, personas):
        self.personas = personas
        self.client = Client()
        self.user = None  # who is signed in
        self.expected: list[tuple] = []

    def expect(self, event, action, actor, label, agency_id=None, address=WEB):
        self.expected.append((event, action, actor.pk if actor else None, label, agency_id, address))

    def do(self, action: str, who: str) -> None:
        person = self.personas[who]
        getattr(self, action)(person)

    def _refused_or(self, response, allowed: bool, url_name: str, path: str) -> bool:
        if self.user is None:
            assert response.status_code == 302
            return False
        if not allowed:
            assert response.status_code == 403
            self.expect(Event.DENIED, ACCESS, self.user, f"GET {path}", None)
            return False
        assert response.status_code == 200
        return True

    def sign_in(self, person):
        response = self.client.post(
            reverse("accounts:login"), {"username": person.email, "password": PASSWORD}
        )
        assert response.status_code == 302
        if self.user is None:  # a signed-in browser is sent on without signing in again
            # The session list gains a row (accounts.UserSession), then the sign-in itself.
            self.expect(Event.CHANGE, CREATE, person, str(self._tracked_session()), person.agency_id)
            self.expect(Event.SIGN_IN, ACCESS, person, str(person), person.agency_id)
            mark_second_factor_passed(self.client, person)
            self.user = person

    def _tracked_session(self):
        return UserSession.objects.get(session_key=self.client.session.session_key)

    def _fail(self, email, agency_id):
        response = self.client.post(
            reverse("accounts:login"), {"username": email, "password": "not-the-password"}
        )
        if self.user is None:
            assert response.status_code == 200
            self.expect(Event.SIGN_IN_FAILED, ACCESS, None, email, agency_id)
        else:
            assert response.status_code == 302

    def wrong_password(self, person):
        self._fail(person.email, person.agency_id)

    def unknown_email(self, person):
        self._fail(f"nobody-{next(_names)}@example.org", None)

    def sign_out(self, person):
        tracked = str(self._tracked_session()) if self.user is not None else None
        assert self.client.post(reverse("accounts:logout")).status_code == 302
        if self.user is not None:
            self.expect(Event.CHANGE, DELETE, self.user, tracked, self.user.agency_id)
            self.expect(Event.SIGN_OUT, ACCESS, self.user, str(self.user), self.user.agency_id)
            self.user = None

    def open_audit_trail(self, person):
        url = reverse("audit:entry_list")
        allowed = self.user is not None and self.user.can(Perm.VIEW_AUDIT)
        if self._refused_or(self.client.get(url), allowed, "audit:entry_list", url):
            # Reading the trail is itself recorded.
            self.expect(Event.LIST, ACCESS, self.user, "Audit trail")

    def export_audit_trail(self, person):
        url = reverse("audit:entry_export")
        allowed = self.user is not None and self.user.can(Perm.VIEW_AUDIT)
        response = self.client.get(url)
        if self._refused_or(response, allowed, "audit:entry_export", url):
            _body(response)
            self.expect(Event.EXPORT, ACCESS, self.user, "Audit trail (CSV)")

    def download_report(self, person):
        url = reverse("reports:download", args=["record_views", "csv"])
        allowed = self.user is not None and self.user.can(Perm.VIEW_REPORTS)
        response = self.client.get(url)
        if self._refused_or(response, allowed, "reports:download", url):
            _body(response)
            self.expect(Event.EXPORT, ACCESS, self.user, "Report: Records viewed by agency (CSV)")

    def create_agency(self, person):
        name = f"Agency {next(_names)}"
        with audit_context(source="tests", actor=person):
            agency = Agency.objects.create(name=name, kind=AgencyKind.VOLUNTARY)
        # An agency's own record belongs to that agency (agreements.models.Agency.audit_agency_id).
        self.expect(Event.CHANGE, CREATE, person, name, agency_id=agency.pk, address=None)

    def rename_agency(self, person):
        agency = Agency.objects.get(pk=person.agency_id)
        agency.name = f"Renamed agency {next(_names)}"
        with audit_context(source="tests", actor=person):
            agency.save()
        self.expect(Event.CHANGE, UPDATE, person, agency.name, agency_id=agency.pk, address=None)


@pytest.mark.fuzz
@fuzz_settings(25)
@given(steps=st.lists(st.tuples(st.sampled_from(ACTIONS), st.sampled_from(WHO)), min_size=1, max_size=12))
def test_the_trail_holds_exactly_what_happened(personas, steps):
    with transaction.atomic():
        last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        session = Session(personas)
        for action, who in steps:
            session.do(action, who)
        actual = [_project(entry) for entry in AuditEntry.objects.filter(id__gt=last).order_by("id")]
        assert actual == session.expected
        transaction.set_rollback(True)  # the next example starts from the same trail


def test_an_agency_rename_records_the_field_before_and_after(agency, lead):
    old = agency.name
    with audit_context(source="tests", actor=lead):
        agency.name = "Home County Council"
        agency.save()
    entry = AuditEntry.objects.filter(event=Event.CHANGE, action=UPDATE).latest("id")
    assert entry.changes == {"name": [old, "Home County Council"]}
    assert (entry.actor, entry.actor_agency_id, entry.source) == (lead, lead.agency_id, "tests")
