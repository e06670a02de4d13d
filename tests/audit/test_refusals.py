"""Every refusal lands with its owner (issue 14, item 5): a request for another agency's record is
recorded against that record and its agency, in debug and production alike, and reading the audit
trail is itself recorded."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse

from audit.models import AuditEntry, Event
from consent.models import Child
from tests.audit.factories import write_entries
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("debug", [False, True])
def test_a_probe_for_another_agencys_child_is_recorded_against_the_child_for_its_ig_officer(
    client, practitioner, outsider, ig_officer, debug
):
    child = ChildFactory(created_by=practitioner, given_name="Zebedee", family_name="Quartermaine")
    client.force_login(outsider)
    with override_settings(DEBUG=debug):
        response = client.get(reverse("consent:child_detail", args=[child.pk]))
    assert response.status_code == 404
    refusal = AuditEntry.objects.get(event=Event.DENIED, actor=outsider)
    assert refusal.content_type == ContentType.objects.get_for_model(Child)
    assert refusal.object_pk == str(child.pk)
    assert refusal.agency_id == practitioner.agency_id
    assert refusal.additional_data["status"] == 404
    # The home agency's IG officer sees the probe; the entry names the child by id only.
    assert refusal in AuditEntry.objects.visible_to(ig_officer)
    assert "Zebedee" not in refusal.object_repr and "Quartermaine" not in str(refusal.additional_data)


@override_settings(DEBUG=True)
def test_a_refused_role_is_recorded_with_debug_on(client, practitioner):
    client.force_login(practitioner)
    assert client.get(reverse("audit:entry_list")).status_code == 403
    assert AuditEntry.objects.filter(event=Event.DENIED, actor=practitioner).count() == 1


def test_a_refusal_is_recorded_once(client, practitioner, outsider):
    child = ChildFactory(created_by=practitioner)
    client.force_login(outsider)
    client.get(reverse("consent:child_detail", args=[child.pk]))
    client.get(reverse("consent:child_detail", args=[2**31 - 1]))  # no such child: by its address
    assert AuditEntry.objects.filter(event=Event.DENIED, actor=outsider).count() == 2


def test_reading_the_audit_trail_is_itself_recorded(client, ig_officer, practitioner):
    [entry] = write_entries(1, actor=practitioner)
    client.force_login(ig_officer)
    client.get(reverse("audit:entry_list"), {"actor": practitioner.email})
    listed = AuditEntry.objects.get(event=Event.LIST, actor=ig_officer)
    assert listed.content_type == ContentType.objects.get_for_model(AuditEntry)
    assert listed.additional_data == {"filters": {"actor": practitioner.email}}

    client.get(reverse("audit:entry_detail", args=[entry.pk]))
    viewed = AuditEntry.objects.get(event=Event.VIEW, actor=ig_officer)
    assert viewed.object_pk == str(entry.pk)
