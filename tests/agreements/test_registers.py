"""The registers the law asks for (issue 15): incidents linked to their decision, a breach's 72-hour
ICO clock, a complaint's 30-day acknowledgement, and the record of processing."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from agreements import processing
from agreements.models import Incident, IncidentKind
from isa_portal.clocks import ClockState
from tests.agreements.factories import IncidentFactory, SignatureFactory, in_force_agreement
from tests.agreements.helpers import date_fields
from tests.agreements.test_incidents import incident_data
from tests.decisions.factories import submitted_decision
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db

CREATE = reverse("agreements:incident_create")
NOT_SHARED = {"other_reason": {"other_reasons": []}, "outcome": {"outcome": "do_not_share"}}


@pytest.fixture
def refusal(practitioner):
    from agreements.models import AgencyKind

    return submitted_decision(
        practitioner, AgencyFactory(name="Hill School", kind=AgencyKind.SCHOOL), **NOT_SHARED
    )


def test_a_challenge_names_the_decision_not_to_share(client, ig_officer, agency, refusal):
    client.force_login(ig_officer)
    data = incident_data(agency, kind=IncidentKind.CHALLENGE, reported_by="School DSL")
    page = client.post(CREATE, data).content.decode()
    assert "Enter the reference of the decision not to share that is challenged" in page
    assert (
        "Enter the reference of a decision you can see"
        in client.post(CREATE, {**data, "decision": "ISD-1999-000001"}).content.decode()
    )
    assert not Incident.objects.exists()
    assert client.post(CREATE, {**data, "decision": refusal.reference.lower()}).status_code == 302
    incident = Incident.objects.get()
    assert incident.decision == refusal
    detail = client.get(reverse("agreements:incident_detail", args=[incident.pk])).content.decode()
    assert reverse("decisions:detail", args=[refusal.pk]) in detail
    listed = client.get(reverse("agreements:incident_list"), {"kind": "challenge"}).content.decode()
    assert f"About decision {refusal.reference}" in listed


def test_a_challenge_to_a_decision_to_share_is_refused(client, ig_officer, agency, practitioner):
    from agreements.models import AgencyKind

    shared = submitted_decision(practitioner, AgencyFactory(kind=AgencyKind.POLICE))
    client.force_login(ig_officer)
    data = incident_data(agency, kind=IncidentKind.CHALLENGE, decision=shared.reference)
    assert "A challenge is to a decision not to share" in client.post(CREATE, data).content.decode()


def test_an_agency_officer_cannot_name_another_agencys_decision(client, outsider, agency, refusal):
    from accounts.models import Role
    from tests.factories import UserFactory

    elsewhere = UserFactory(agency=outsider.agency, role=Role.IG_OFFICER)
    client.force_login(elsewhere)
    data = incident_data(outsider.agency, kind=IncidentKind.CHALLENGE, decision=refusal.reference)
    assert "Enter the reference of a decision you can see" in client.post(CREATE, data).content.decode()


def test_a_breach_records_its_discovery_and_shows_the_72_hour_ico_deadline(client, ig_officer, agency):
    client.force_login(ig_officer)
    missing = incident_data(agency, **date_fields("discovered_at", None), discovered_time="")
    assert (
        "Enter the date and time the breach was discovered" in client.post(CREATE, missing).content.decode()
    )
    bad_time = incident_data(agency, discovered_time="25:00")
    assert "Enter the time on the 24-hour clock" in client.post(CREATE, bad_time).content.decode()
    found = timezone.localdate() - dt.timedelta(days=1)
    data = incident_data(
        agency, reportable="yes", **date_fields("discovered_at", found), discovered_time="14:30"
    )
    assert client.post(CREATE, data).status_code == 302
    incident = Incident.objects.get()
    zone = timezone.get_current_timezone()
    assert incident.discovered_at == dt.datetime.combine(found, dt.time(14, 30), zone)
    assert incident.reportable is True
    assert incident.ico_clock.due == incident.discovered_at + dt.timedelta(hours=72)
    listed = client.get(reverse("agreements:incident_list"), {"kind": "breach"})
    [shown] = listed.context["incidents"]
    assert shown.deadline["state"] in (ClockState.RUNNING, ClockState.DUE_SOON)
    local_due = timezone.localtime(incident.ico_clock.due)
    assert f"{local_due:%H:%M}" in shown.deadline["due"]
    assert "Report to the ICO" in listed.content.decode()


def test_an_overdue_breach_and_one_reported_in_time(agency):
    now = timezone.now()
    late = IncidentFactory(
        agency=agency,
        kind=IncidentKind.BREACH_STAFF,
        discovered_at=now - dt.timedelta(hours=73),
        reportable=True,
    )
    assert late.ico_clock.state(now) == ClockState.OVERDUE
    on_time = IncidentFactory(
        agency=agency,
        kind=IncidentKind.BREACH_PUBLIC,
        discovered_at=now - dt.timedelta(hours=100),
        reportable=True,
        reported_to_ico_at=now - dt.timedelta(hours=40),
    )
    assert on_time.ico_clock.state(now) == ClockState.MET
    not_reportable = IncidentFactory(
        agency=agency,
        kind=IncidentKind.BREACH_STAFF,
        discovered_at=now - dt.timedelta(hours=100),
        reportable=False,
    )
    assert not_reportable.ico_clock.state(now) == ClockState.NOT_APPLICABLE


def test_a_report_to_the_ico_needs_a_reportable_breach(client, ig_officer, agency):
    client.force_login(ig_officer)
    data = incident_data(
        agency, reportable="no", **date_fields("reported_to_ico_at", days_ago(1)), reported_time="10:00"
    )
    assert "only for a reportable breach" in client.post(CREATE, data).content.decode()


def test_the_complaints_register_shows_the_30_day_acknowledgement_clock(client, ig_officer, agency):
    client.force_login(ig_officer)
    received = days_ago(25)
    data = incident_data(
        agency,
        kind=IncidentKind.COMPLAINT,
        **date_fields("reported_on", received),
        **date_fields("occurred_on", None),
        **date_fields("discovered_at", None),
        discovered_time="",
    )
    assert client.post(CREATE, data).status_code == 302
    complaint = Incident.objects.get()
    assert complaint.acknowledgement_clock.due == received + dt.timedelta(days=29)
    [shown] = client.get(reverse("agreements:incident_list"), {"kind": "complaint"}).context["incidents"]
    assert shown.deadline["state"] == ClockState.DUE_SOON  # four days left
    assert shown.deadline["name"] == "Acknowledge the complaint"
    acknowledged = {
        **data,
        **date_fields("acknowledged_on", days_ago(2)),
        "lock_version": complaint.lock_version,
    }
    assert (
        client.post(reverse("agreements:incident_edit", args=[complaint.pk]), acknowledged).status_code == 302
    )
    complaint.refresh_from_db()
    assert complaint.acknowledgement_clock.state(timezone.localdate()) == ClockState.MET
    early = {
        **acknowledged,
        **date_fields("acknowledged_on", days_ago(30)),
        "lock_version": complaint.lock_version,
    }
    page = client.post(reverse("agreements:incident_edit", args=[complaint.pk]), early).content.decode()
    assert "on or after the date the complaint was received" in page


def test_the_record_of_processing_lists_each_agreement_against_each_agency(
    client, partnership_ig, agency, other_agency
):
    agreement, version = in_force_agreement(
        owner=agency,
        title="Northshire safeguarding protocol",
        purposes=("safeguarding", "early_help"),
        data_items="Names, dates of birth, concerns",
        parties_and_roles="Every partner is a controller",
        lawful_basis="public_task",
    )
    SignatureFactory(version=version, agency=agency)
    client.force_login(partnership_ig)
    response = client.get(reverse("agreements:record_of_processing"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.values)
    at = values.index(tuple(processing.HEADER))
    assert values[0][0] == "Record of processing: information sharing"
    rows = [dict(zip(processing.HEADER, row, strict=True)) for row in values[at + 1 :]]
    by_agency = {row["Agency"]: row for row in rows if row["Agreement"] == agreement.title}
    signed, unsigned = by_agency[agency.name], by_agency[other_agency.name]
    assert signed["Written agreement in place"] == "Yes" and unsigned["Written agreement in place"] == "No"
    assert (
        isinstance(signed["Signed on"], dt.datetime) and signed["Signed on"].date() == version.signed_off_on
    )
    assert signed["Agreement ends or is next reviewed"].date() == version.next_review_date
    assert signed["Purposes"] == "Early help and prevention; Safeguarding a child from significant harm"
    assert signed["Categories of information shared"] == "Names, dates of birth, concerns"
    assert signed["Article 6 lawful basis"] == "Article 6(1)(e): public task"
    assert signed["Parties and their controller roles"] == "Every partner is a controller"

    text = b"".join(client.get(reverse("agreements:record_of_processing_csv")).streaming_content).decode()
    assert text.startswith("\ufeff")
    csv_rows = list(csv.reader(io.StringIO(text[1:])))
    assert processing.HEADER in csv_rows
