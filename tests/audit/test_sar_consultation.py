"""Consulting the agency that supplied information before a subject access bundle goes (issue 15,
item 4): who was consulted, when and what they answered; the bundle cannot be issued while an
answer is awaited, with a GOV.UK message and the clock still in view; the states gathering -> in
review -> consulting -> ready -> issued on the request's page; the IG home page's clock unchanged."""

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgencyKind
from audit import sar as services
from audit.models import AuditEntry, Event, SubjectAccessRequest, SubjectAccessStatus
from audit.sar_models import SupplierConsultation
from tests.agreements.helpers import date_fields
from tests.decisions.conftest import consent_found, cover_found, recipient  # noqa: F401
from tests.decisions.factories import child_for, submitted_decision
from tests.factories import AgencyFactory, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(db):
    return AgencyFactory(name="Northshire Police", kind=AgencyKind.POLICE)


@pytest.fixture
def supplied(practitioner, recipient, police):  # noqa: F811 (the fixture imported above)
    """A child whose decision records information the police supplied."""
    child = child_for(practitioner, given_name="Amy", family_name="Brook", nhs_number="")
    decision = submitted_decision(
        practitioner,
        recipient,
        child,
        openness={"from_other_agency": True, "source_agency": police, "source_agency_agreed": "agreed"},
    )
    return {"child": child, "decision": decision}


def _request(child, officer) -> SubjectAccessRequest:
    return services.sar_record(
        request=SubjectAccessRequest(
            child=child,
            requester_name="Jo Brook",
            requester_relationship="Mother",
            identity_check="Passport seen",
            received_on=days_ago(10),
        ),
        by=officer,
    )


def _step(client, sar, step):
    return client.post(reverse("audit:sar_step", args=[sar.pk]), {"step": step})


def _consult(client, sar, agency, *, response="awaiting", responded_on=None, objections=""):
    return client.post(
        f"{reverse('audit:sar_consultation_new', args=[sar.pk])}?agency={agency.pk}",
        {
            "contact": "Sam Lee, data protection officer",
            **date_fields("consulted_on", days_ago(2)),
            "response": response,
            **date_fields("responded_on", responded_on),
            "objections": objections,
        },
    )


def test_the_bundle_waits_for_the_supplying_agency_and_the_states_show_on_the_request_page(
    client, ig_officer, supplied, police
):
    sar = _request(supplied["child"], ig_officer)
    client.force_login(ig_officer)
    detail = reverse("audit:sar_detail", args=[sar.pk])
    page = client.get(detail).content.decode()
    assert "Gathering records (now)" in page
    assert f"{sar.due_on.day} {sar.due_on:%B %Y}" in page

    assert _step(client, sar, "start_review").status_code == 302
    assert "In review (now)" in client.get(detail).content.decode()
    assert _step(client, sar, "finish_review").status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.CONSULTING  # the police supplied information

    # Not consulted yet: issuing is refused with a clear message, the clock still on the page.
    refused = client.post(reverse("audit:sar_step", args=[sar.pk]), {"step": "issue"})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "govuk-error-summary" in page
    assert "You cannot issue the bundle until Northshire Police has answered your consultation" in page
    assert f"{sar.due_on.day} {sar.due_on:%B %Y}" in page
    assert "Consulting the agencies that supplied information (now)" in page
    assert "Not consulted" in page

    # Consulted, answer awaited: still refused.
    assert _consult(client, sar, police).status_code == 302
    consultation = SupplierConsultation.objects.get()
    assert (consultation.agency, consultation.contact, consultation.recorded_by) == (
        police,
        "Sam Lee, data protection officer",
        ig_officer,
    )
    assert _step(client, sar, "issue").status_code == 400
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.CONSULTING and sar.responded_on is None
    # The IG home page's clock is unchanged while the request waits.
    [(shown, _state)] = client.get(reverse("home")).context["open_requests"]
    assert shown == sar

    # Their answer: content. The request is ready, then issued.
    edit = reverse("audit:sar_consultation_edit", args=[consultation.pk])
    answered = client.post(
        edit,
        {
            "contact": consultation.contact,
            **date_fields("consulted_on", consultation.consulted_on),
            "response": "content",
            **date_fields("responded_on", days_ago(1)),
            "objections": "",
        },
    )
    assert answered.status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.READY
    assert "Ready to issue (now)" in client.get(detail).content.decode()
    assert _step(client, sar, "issue").status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.ISSUED and sar.responded_on == timezone.localdate()
    assert "Issued (now)" in client.get(detail).content.decode()
    assert client.get(reverse("home")).context["open_requests"] == []

    steps = [
        entry.additional_data.get("step")
        for entry in AuditEntry.objects.filter(event=Event.SUBJECT_ACCESS_CHANGED).order_by("id")
    ]
    assert steps == [
        "review_started",
        "review_finished",
        "consultation_recorded",
        "consultation_changed",
        "consultations_answered",
        "issued",
    ]
    assert (
        AuditEntry.objects.filter(event=Event.CHANGE, content_type__model="supplierconsultation").count() == 2
    )

    # Issued: the consultation is fixed.
    late = client.post(
        edit,
        {
            "contact": "Someone else",
            **date_fields("consulted_on", consultation.consulted_on),
            "response": "objects",
            **date_fields("responded_on", days_ago(1)),
            "objections": "Too late",
        },
    )
    assert late.status_code == 400 and "The bundle has been issued" in late.content.decode()


def test_an_objection_is_recorded_with_what_they_object_to(client, ig_officer, supplied, police):
    sar = services.sar_start_review(request=_request(supplied["child"], ig_officer), by=ig_officer)
    client.force_login(ig_officer)
    response = _consult(client, sar, police, response="objects", responded_on=days_ago(1))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter what they object to, and why" in page
    response = _consult(client, sar, police, response="content")
    assert response.status_code == 400 and "Enter the date they answered" in response.content.decode()
    assert not SupplierConsultation.objects.exists()

    ok = _consult(
        client,
        sar,
        police,
        response="objects",
        responded_on=days_ago(1),
        objections="An investigation is live",
    )
    assert ok.status_code == 302
    assert SupplierConsultation.objects.get().objections == "An investigation is live"
    # An objection is an answer: the answering agency decides, so the bundle may be issued.
    assert _step(client, sar, "finish_review").status_code == 302
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.READY


def test_without_supplied_information_the_review_goes_straight_to_ready(
    client,
    ig_officer,
    practitioner,
    recipient,  # noqa: F811
):
    child = child_for(practitioner)
    submitted_decision(practitioner, recipient, child)
    sar = services.sar_start_review(request=_request(child, ig_officer), by=ig_officer)
    client.force_login(ig_officer)
    assert (
        "there is no one to consult"
        in client.get(reverse("audit:sar_detail", args=[sar.pk])).content.decode()
    )
    _step(client, sar, "finish_review")
    sar.refresh_from_db()
    assert sar.status == SubjectAccessStatus.READY


def test_only_an_agency_that_supplied_information_can_be_consulted(
    client, ig_officer, supplied, other_agency
):
    sar = _request(supplied["child"], ig_officer)
    client.force_login(ig_officer)
    url = reverse("audit:sar_consultation_new", args=[sar.pk])
    assert client.get(f"{url}?agency={other_agency.pk}").status_code == 404
    assert _consult(client, sar, other_agency).status_code == 404
    assert not SupplierConsultation.objects.exists()


def test_a_consultation_is_a_post_with_csrf(csrf_client, ig_officer, supplied, police):
    sar = _request(supplied["child"], ig_officer)
    csrf_client.force_login(ig_officer)
    assert _consult(csrf_client, sar, police).status_code == 403
    assert not SupplierConsultation.objects.exists()


def test_another_agencys_officer_cannot_reach_the_consultation(
    client, ig_officer, outsider, supplied, police
):
    from tests.factories import UserFactory

    sar = _request(supplied["child"], ig_officer)
    client.force_login(ig_officer)
    _consult(client, sar, police)
    consultation = SupplierConsultation.objects.get()
    client.force_login(UserFactory(agency=outsider.agency, role="ig_officer"))
    assert client.get(reverse("audit:sar_consultation_edit", args=[consultation.pk])).status_code == 404
    assert _consult(client, sar, police).status_code == 404
