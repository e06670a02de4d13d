"""Every refused request by a signed-in user is in the trail with who, their agency, where from and when."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEntry, Event
from tests.audit.factories import write_entries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _denied():
    return AuditEntry.objects.filter(event=Event.DENIED).order_by("id")


def test_a_403_is_recorded_with_actor_agency_address_and_time(client, practitioner):
    client.force_login(practitioner)
    before = timezone.now()
    response = client.get(reverse("audit:entry_list"), REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 403
    [entry] = _denied()
    assert entry.actor == practitioner
    assert entry.actor_email == practitioner.email
    assert entry.actor_agency_id == practitioner.agency_id
    assert entry.actor_role == Role.PRACTITIONER
    assert entry.remote_addr == "198.51.100.7"
    assert before <= entry.timestamp <= timezone.now()
    assert entry.source == "web"
    assert entry.object_repr == "GET /audit/"
    assert entry.additional_data == {"status": 403, "url_name": "audit:entry_list", "kwargs": {}}


def test_a_404_for_a_record_outside_the_users_scope_is_recorded(client, practitioner, other_agency):
    [hidden] = write_entries(1, actor=practitioner)
    elsewhere = UserFactory(agency=other_agency, role=Role.IG_OFFICER)
    client.force_login(elsewhere)
    url = reverse("audit:entry_detail", args=[hidden.pk])
    assert client.get(url, REMOTE_ADDR="203.0.113.9").status_code == 404
    [entry] = _denied()
    assert (entry.actor, entry.actor_agency_id, entry.remote_addr) == (
        elsewhere,
        other_agency.pk,
        "203.0.113.9",
    )
    assert entry.additional_data == {
        "status": 404,
        "url_name": "audit:entry_detail",
        "kwargs": {"pk": str(hidden.pk)},
    }


def test_a_404_for_an_address_that_does_not_exist_is_recorded_too(client, lead):
    client.force_login(lead)
    assert client.get("/children/99999/secret/").status_code == 404
    [entry] = _denied()
    assert entry.actor == lead
    assert entry.additional_data["status"] == 404
    assert entry.additional_data["url_name"] is None


def test_a_refused_post_is_recorded_with_its_method(client, admin):
    client.force_login(admin)
    assert client.post(reverse("audit:entry_list")).status_code == 403
    assert _denied().get().object_repr == "POST /audit/"


def test_anonymous_requests_are_sent_to_sign_in_not_recorded_as_refusals(client):
    assert client.get(reverse("audit:entry_list")).status_code == 302
    assert not _denied().exists()


def test_a_list_shown_is_recorded_with_what_was_asked(practitioner):
    from audit.context import audit_context
    from audit.services import record_list

    with audit_context(source="web", actor=practitioner, remote_addr="192.0.2.1"):
        entry = record_list(AuditEntry, label="Search of the trail", query="smith")
    assert (entry.event, entry.object_pk, entry.additional_data) == (Event.LIST, "", {"query": "smith"})
    assert (entry.actor, entry.actor_agency_id) == (practitioner, practitioner.agency_id)
