import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from agreements.models import Agency, AgencyKind
from audit.commands import AuditedCommand
from audit.context import audit_context
from audit.middleware import AuditContextMiddleware
from audit.models import AuditEntry, Event
from audit.services import record_view


@pytest.mark.django_db
def test_a_write_during_a_request_names_the_user_their_agency_role_and_address(practitioner):
    request = RequestFactory().post("/anything", REMOTE_ADDR="10.1.2.3")
    request.user = practitioner

    def view(request):
        Agency.objects.create(name="Made in a request", kind=AgencyKind.SCHOOL)
        return None

    AuditContextMiddleware(view)(request)
    entry = AuditEntry.objects.get(object_repr="Made in a request")
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.event == Event.CHANGE
    assert entry.actor == practitioner
    assert entry.actor_email == practitioner.email
    assert entry.actor_agency == practitioner.agency
    assert entry.actor_role == "practitioner"
    assert entry.remote_addr == "10.1.2.3"
    assert entry.source == "web"
    # Every field is recorded (the agency has more than these); these three show before and after.
    assert {key: entry.changes[key] for key in ("id", "name", "kind")} == {
        "id": [None, entry.object_id],
        "name": [None, "Made in a request"],
        "kind": [None, "school"],
    }


@pytest.mark.django_db
def test_inner_context_wins_and_the_outer_returns_after_it(practitioner, lead):
    with audit_context(source="web", actor=practitioner):
        with audit_context(source="command:test", actor=lead):
            Agency.objects.create(name="Inner", kind=AgencyKind.SCHOOL)
        Agency.objects.create(name="Outer", kind=AgencyKind.SCHOOL)
    assert AuditEntry.objects.get(object_repr="Inner").actor == lead
    assert AuditEntry.objects.get(object_repr="Outer").actor == practitioner


@pytest.mark.django_db
def test_view_entries_carry_the_records_agency(practitioner, agency):
    with audit_context(source="web", actor=practitioner):
        entry = record_view(agency)
    # An agency's own record (its registration, its representatives) belongs to that agency.
    assert (entry.event, entry.agency_id, entry.object_pk) == (Event.VIEW, agency.pk, str(agency.pk))
    with audit_context(source="web", actor=practitioner):
        entry = record_view(practitioner)
    assert entry.agency_id == practitioner.agency_id


class _CreateAgency(AuditedCommand):
    def handle(self, *args, **options):
        Agency.objects.create(name="Made by a command", kind=AgencyKind.OTHER)


@pytest.mark.django_db
def test_management_command_writes_name_the_actor_given(practitioner):
    call_command(_CreateAgency(), actor=practitioner.email)
    entry = AuditEntry.objects.get(object_repr="Made by a command")
    assert entry.actor == practitioner
    assert entry.source.startswith("command:")


@pytest.mark.django_db
def test_management_command_without_an_actor_is_attributed_to_the_system():
    call_command(_CreateAgency())
    entry = AuditEntry.objects.get(object_repr="Made by a command")
    assert entry.actor is None
    assert entry.actor_email.startswith("system (")


@pytest.mark.django_db
def test_management_command_refuses_an_unknown_actor():
    with pytest.raises(CommandError, match="No active user"):
        call_command(_CreateAgency(), actor="nobody@example.org")
    assert not Agency.objects.filter(name="Made by a command").exists()


@pytest.mark.django_db
def test_denied_requests_are_recorded(client, practitioner):
    client.force_login(practitioner)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    entry = AuditEntry.objects.get(event=Event.DENIED)
    assert entry.actor == practitioner
    assert entry.additional_data["status"] == 404
    assert entry.object_repr == "GET /no-such-page/"


@pytest.mark.django_db
def test_many_to_many_changes_are_filed_under_the_records_agency(practitioner, other_agency):
    from tests.consent.factories import make_consent
    from tests.factories import ChildFactory

    child = ChildFactory(created_by=practitioner)
    with audit_context(source="web", actor=practitioner):
        consent = make_consent(child, practitioner, recipients=[other_agency])
    m2m_entries = AuditEntry.objects.filter(
        object_pk=str(consent.pk), changes__recipients__type="m2m"
    )
    assert m2m_entries.exists()
    assert {entry.agency_id for entry in m2m_entries} == {practitioner.agency_id}
