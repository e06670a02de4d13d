import pytest
from django.urls import reverse

from agreements.models import Incident, IncidentKind, IncidentOutcome, IncidentStatus
from audit.models import AuditEntry, Event
from tests.agreements.factories import IncidentFactory
from tests.agreements.helpers import date_fields, entries_for
from tests.factories import days_ago

pytestmark = pytest.mark.django_db


def incident_data(agency, **overrides):
    data = {
        "kind": IncidentKind.BREACH_STAFF,
        "agency": agency.pk,
        "agreement": "",
        "reported_by": "Team manager",
        **date_fields("reported_on", days_ago(3)),
        **date_fields("occurred_on", days_ago(4)),
        **date_fields("closed_on", None),
        "summary": "Email sent to the wrong inbox.",
        "status": IncidentStatus.OPEN,
        "outcome": "",
        "lessons_learned": "",
        # A breach: when it was discovered starts the ICO's 72 hours (issue 15).
        **date_fields("discovered_at", days_ago(3)),
        "discovered_time": "09:15",
        "reportable": "",
        **date_fields("reported_to_ico_at", None),
        "reported_time": "",
        **date_fields("acknowledged_on", None),
        "decision": "",
    }
    data.update(overrides)
    return data


def test_an_ig_officer_records_an_incident_for_their_agency(client, ig_officer, agency):
    client.force_login(ig_officer)
    response = client.post(reverse("agreements:incident_create"), incident_data(agency))
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert incident.recorded_by == ig_officer
    assert entries_for(incident, action=AuditEntry.Action.CREATE).get().actor == ig_officer


def test_an_agency_ig_officer_cannot_record_for_another_agency(client, ig_officer, other_agency):
    client.force_login(ig_officer)
    response = client.post(reverse("agreements:incident_create"), incident_data(other_agency))
    assert "Select a valid choice" in response.content.decode()
    assert not Incident.objects.exists()


def test_closing_needs_an_outcome_and_a_date(client, ig_officer, agency):
    client.force_login(ig_officer)
    response = client.post(reverse("agreements:incident_create"), incident_data(agency, status="closed"))
    page = response.content.decode()
    assert "Select the outcome before closing the incident" in page
    assert "Enter the date the incident was closed" in page
    assert not Incident.objects.exists()


def test_scope_agency_officers_see_their_agency_partnership_officers_all(
    client, ig_officer, partnership_ig, admin, other_agency, agency
):
    theirs = IncidentFactory(agency=other_agency)
    ours = IncidentFactory(agency=agency)
    client.force_login(ig_officer)
    assert client.get(reverse("agreements:incident_detail", args=[theirs.pk])).status_code == 404
    assert ours.reference in client.get(reverse("agreements:incident_list")).content.decode()
    assert theirs.reference not in client.get(reverse("agreements:incident_list")).content.decode()
    client.force_login(partnership_ig)
    assert client.get(reverse("agreements:incident_detail", args=[theirs.pk])).status_code == 200
    client.force_login(admin)  # admins read the register, never change it
    assert client.get(reverse("agreements:incident_detail", args=[ours.pk])).status_code == 200
    assert client.post(reverse("agreements:incident_edit", args=[ours.pk]), {}).status_code == 403


def test_viewing_an_incident_is_audited(client, ig_officer, agency):
    incident = IncidentFactory(agency=agency)
    client.force_login(ig_officer)
    client.get(reverse("agreements:incident_detail", args=[incident.pk]))
    assert entries_for(incident, event=Event.VIEW, actor=ig_officer).count() == 1


def test_a_stale_incident_edit_is_shown_back(client, ig_officer, agency):
    incident = IncidentFactory(agency=agency)
    client.force_login(ig_officer)
    url = reverse("agreements:incident_edit", args=[incident.pk])
    assert client.post(url, incident_data(agency, summary="Their summary", lock_version=0)).status_code == 302
    page = client.post(url, incident_data(agency, summary="My summary", lock_version=0)).content.decode()
    assert "Someone else changed this incident after you opened it" in page
    assert "Their summary" in page and "My summary" in page
    incident.refresh_from_db()
    assert incident.summary == "Their summary"


def test_the_incident_list_takes_a_fixed_number_of_queries(client, partnership_ig, django_assert_num_queries):
    for _ in range(10):
        IncidentFactory()
    client.force_login(partnership_ig)
    client.get(reverse("agreements:incident_list"))
    # session, user (with the header's agency), incidents
    with django_assert_num_queries(3):
        client.get(reverse("agreements:incident_list"))


@pytest.fixture
def year_of_incidents(agency, other_agency):
    year = days_ago(0).year
    IncidentFactory(
        agency=agency,
        kind=IncidentKind.COMPLAINT,
        status=IncidentStatus.CLOSED,
        outcome=IncidentOutcome.UPHELD,
        closed_on=days_ago(0),
        reported_on=days_ago(0),
        lessons_learned="Check addresses before sending.",
    )
    IncidentFactory(agency=agency, kind=IncidentKind.CHALLENGE, reported_on=days_ago(0))
    IncidentFactory(agency=other_agency, kind=IncidentKind.CHALLENGE, reported_on=days_ago(0))
    IncidentFactory(
        agency=agency, kind=IncidentKind.COMPLAINT, reported_on=days_ago(0).replace(year=year - 1)
    )
    return year


def test_the_annual_summary_counts_by_kind_agency_and_outcome(client, partnership_ig, year_of_incidents):
    client.force_login(partnership_ig)
    response = client.get(reverse("agreements:incident_summary"), {"year": year_of_incidents})
    summary = response.context["summary"]
    assert summary.total == 3 and summary.open_count == 2
    assert dict(summary.by_kind)["Challenge to a decision not to share"] == 2
    assert dict(summary.by_agency) == {"Home County Children's Services": 2, "Other Town Police": 1}
    assert dict(summary.by_outcome)["Upheld"] == 1
    assert "Check addresses before sending." in response.content.decode()


def test_the_summary_is_scoped_to_the_officers_agency(client, ig_officer, year_of_incidents):
    client.force_login(ig_officer)
    summary = client.get(reverse("agreements:incident_summary")).context["summary"]
    assert summary.total == 2


def test_the_summary_downloads_as_a_pdf_and_is_audited(client, admin, year_of_incidents):
    client.force_login(admin)
    response = client.get(reverse("agreements:incident_summary_pdf"), {"year": year_of_incidents})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert (
        response["Content-Disposition"] == f'attachment; filename="incident-summary-{year_of_incidents}.pdf"'
    )
    assert AuditEntry.objects.filter(event=Event.EXPORT, actor=admin).count() == 1


def test_a_nonsense_year_falls_back_to_this_year(client, admin):
    client.force_login(admin)
    assert client.get(reverse("agreements:incident_summary"), {"year": "9" * 30}).status_code == 200
