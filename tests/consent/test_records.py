"""Reading a consent record or an assessment, and recording that consent was withdrawn."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry, Event
from consent.models import ConsentRecord
from tests.consent.factories import make_assessment, make_consent
from tests.factories import days_ago

pytestmark = pytest.mark.django_db


def date_data(name, day):
    return {f"{name}_0": day.day, f"{name}_1": day.month, f"{name}_2": day.year}


def test_reading_a_consent_or_assessment_is_recorded_and_scoped(client, practitioner, outsider, child):
    consent = make_consent(child, practitioner)
    assessment = make_assessment(child, practitioner)
    make_consent(child, outsider)  # the outsider now sees the child, but not the home agency's records
    client.force_login(practitioner)
    client.get(reverse("consent:consent_detail", kwargs={"pk": consent.pk}))
    client.get(reverse("consent:assessment_detail", kwargs={"pk": assessment.pk}))
    viewed = set(AuditEntry.objects.filter(event=Event.VIEW).values_list("content_type__model", "object_pk"))
    assert viewed == {("consentrecord", str(consent.pk)), ("competenceassessment", str(assessment.pk))}
    client.force_login(outsider)
    assert client.get(reverse("consent:consent_detail", kwargs={"pk": consent.pk})).status_code == 404
    assert client.get(reverse("consent:assessment_detail", kwargs={"pk": assessment.pk})).status_code == 404


def test_withdrawing_through_the_page_adds_a_linked_record(client, practitioner, child):
    given = make_consent(child, practitioner, on=days_ago(5))
    client.force_login(practitioner)
    url = reverse("consent:consent_withdraw", kwargs={"pk": given.pk})
    response = client.post(
        url,
        {
            "how_obtained": "phone",
            "discussion_note": "Changed her mind.",
            **date_data("withdrawn_on", days_ago(6)),
        },
    )
    assert "on or after it was given" in response.content.decode()
    response = client.post(
        url,
        {
            "how_obtained": "phone",
            "discussion_note": "Changed her mind.",
            **date_data("withdrawn_on", days_ago(1)),
        },
    )
    withdrawal = ConsentRecord.objects.get(withdraws=given)
    assert response["Location"] == reverse("consent:consent_detail", kwargs={"pk": withdrawal.pk})
    assert AuditEntry.objects.filter(
        content_type__model="consentrecord",
        object_pk=str(withdrawal.pk),
        action=AuditEntry.Action.CREATE,
        actor=practitioner,
    ).exists()
    # Once withdrawn, the page sends you back to the record.
    assert client.get(url)["Location"] == reverse("consent:consent_detail", kwargs={"pk": given.pk})
    assert (
        client.post(
            url,
            {"how_obtained": "phone", "discussion_note": "Again.", **date_data("withdrawn_on", days_ago(0))},
        ).status_code
        == 302
    )
    assert ConsentRecord.objects.filter(withdraws=given).count() == 1
