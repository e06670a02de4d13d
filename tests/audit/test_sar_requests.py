"""Subject access requests (issue 15): who asked, identity checked, received on, due one calendar
month later (extended with a reason), and the clock on the IG officer's home page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEntry, Event, SubjectAccessRequest
from isa_portal import clocks
from tests.agreements.helpers import date_fields
from tests.decisions.factories import child_for
from tests.factories import days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def child(practitioner):
    return child_for(practitioner, given_name="Kim", family_name="Lowe")


def _new(child) -> str:
    return reverse("audit:sar_new", args=[child.pk])


def test_a_request_is_recorded_with_its_one_month_clock_and_audited(client, ig_officer, child):
    client.force_login(ig_officer)
    received = days_ago(20)
    response = client.post(
        _new(child),
        {
            "requester_name": "Jo Lowe",
            "requester_relationship": "Mother",
            "identity_check": "Passport and birth certificate seen",
            **date_fields("received_on", received),
        },
    )
    sar = SubjectAccessRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("audit:sar_detail", args=[sar.pk])
    assert sar.due_on == clocks.subject_access_due(received)
    assert sar.agency == ig_officer.agency and sar.recorded_by == ig_officer
    entry = AuditEntry.objects.get(event=Event.SUBJECT_ACCESS_RECEIVED)
    assert entry.actor == ig_officer and entry.object_pk == str(sar.pk)

    home = client.get(reverse("home"))
    [(shown, state)] = home.context["open_requests"]
    assert shown == sar
    assert state == sar.clock.state(timezone.localdate())
    page = home.content.decode()
    assert sar.reference in page and f"{sar.due_on.day} {sar.due_on:%B %Y}" in page


def test_missing_answers_and_a_future_date_are_explained(client, ig_officer, child):
    client.force_login(ig_officer)
    response = client.post(_new(child), {**date_fields("received_on", days_ago(-3))})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter who asked" in page
    assert "Enter how their identity and entitlement were checked" in page
    assert not SubjectAccessRequest.objects.exists()


def test_an_extension_with_a_reason_moves_the_deadline_two_months_and_issuing_stops_the_clock(
    client, ig_officer, child
):
    from audit import sar as services

    received = dt.date(2026, 1, 31)
    sar = services.sar_record(
        request=SubjectAccessRequest(
            child=child,
            requester_name="Kim Lowe",
            requester_relationship="The child",
            identity_check="Known to the service",
            received_on=received,
        ),
        by=ig_officer,
    )
    assert sar.due_on == dt.date(2026, 2, 28)
    client.force_login(ig_officer)
    url = reverse("audit:sar_detail", args=[sar.pk])
    client.post(url, {"extension_reason": "Records held by four agencies"})
    sar.refresh_from_db()
    assert sar.due_on == dt.date(2026, 4, 30)
    # The response goes when the bundle is issued, after the review: issued today, late.
    step = reverse("audit:sar_step", args=[sar.pk])
    for name in ("start_review", "finish_review", "issue"):
        assert client.post(step, {"step": name}).status_code == 302
    sar.refresh_from_db()
    assert sar.responded_on == timezone.localdate()
    assert sar.clock.state(timezone.localdate()) == clocks.ClockState.MET_LATE
    assert AuditEntry.objects.filter(event=Event.SUBJECT_ACCESS_CHANGED).count() == 4
    assert client.get(reverse("home")).context["open_requests"] == []


def test_another_agencys_officer_cannot_see_the_request(client, ig_officer, outsider, child):
    from accounts.models import Role
    from audit import sar as services
    from tests.factories import UserFactory

    sar = services.sar_record(
        request=SubjectAccessRequest(
            child=child,
            requester_name="A",
            requester_relationship="B",
            identity_check="C",
            received_on=days_ago(1),
        ),
        by=ig_officer,
    )
    elsewhere = UserFactory(agency=outsider.agency, role=Role.IG_OFFICER)
    client.force_login(elsewhere)
    assert client.get(reverse("audit:sar_detail", args=[sar.pk])).status_code == 404
    assert client.get(reverse("home")).context["open_requests"] == []
