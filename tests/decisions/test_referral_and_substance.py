"""The mandatory referral (issue 12, item 3) and substance, not punctuation (item 5), through the pages."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgencyKind
from decisions import services
from decisions.models import Decision
from tests.decisions.factories import child_for, draft_decision
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def _url(decision, step):
    return reverse("decisions:step", args=[decision.pk, step])


def _check(client, decision):
    return client.post(reverse("decisions:check", args=[decision.pk]))


def _row(decision):
    return Decision.objects.filter(pk=decision.pk).values().get()


def _years_ago(years: int, days: int = 0) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - timedelta(days=days)


def _date(prefix: str, value: date) -> dict:
    return {f"{prefix}_0": value.day, f"{prefix}_1": value.month, f"{prefix}_2": value.year}


SEXUAL_ACTIVITY = {
    "purpose": "early_help",
    "purpose_detail": "Disclosed in class",
    "information_categories": ["sexual_activity"],
}


def test_a_child_of_8_shared_only_with_a_primary_school_on_early_help_grounds_is_refused(
    client, practitioner
):
    school = AgencyFactory(name="Riverside Primary School", kind=AgencyKind.SCHOOL)
    council = AgencyFactory(name="Northshire Children's Services", kind=AgencyKind.LOCAL_AUTHORITY)
    child = child_for(practitioner, date_of_birth=_years_ago(8))
    decision = draft_decision(
        practitioner,
        school,
        child=child,
        grounds={"grounds": ["early_help_proportionate"]},
        lawful_basis={"article9_condition": "9_2_g_sch1_18"},
    )
    client.force_login(practitioner)
    response = client.post(
        _url(decision, "purpose"), {**SEXUAL_ACTIVITY, **_date("events_on", timezone.localdate())}
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.mandatory_referral

    response = _check(client, decision)
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "must be referred to children&#x27;s social care or the police: record who you referred it to" in page
    )
    assert "a child protection matter, not early help" in page
    decision.refresh_from_db()
    assert decision.is_draft

    # The referral page will not take the school, nor an early-help ground alone.
    response = client.post(
        _url(decision, "referral"),
        {
            "referral_agency": school.pk,
            **_date("referral_made_on", timezone.localdate()),
            "referral_reference": "R1",
        },
    )
    assert "a referral to any other agency is not the mandatory referral" in response.content.decode()
    response = client.post(
        _url(decision, "grounds"),
        {
            "grounds": ["early_help_proportionate"],
            "harm_if_shared": "The family may stop using early help",
            "harm_if_not_shared": "The child may be abused again without protection",
        },
    )
    assert "a child protection matter, not early help" in response.content.decode()

    # Referred to children's social care, on child protection grounds: it can be submitted.
    response = client.post(
        _url(decision, "referral"),
        {
            "referral_agency": council.pk,
            **_date("referral_made_on", timezone.localdate()),
            "referral_reference": "MASH-2026-0042",
        },
    )
    assert response.status_code == 302
    response = client.post(
        _url(decision, "grounds"),
        {
            "grounds": ["significant_harm_evidence"],
            "harm_if_shared": "The family may stop using early help",
            "harm_if_not_shared": "The child may be abused again without protection",
        },
    )
    assert response.status_code == 302
    assert _check(client, decision).status_code == 302
    decision.refresh_from_db()
    assert (decision.referral_agency, decision.referral_reference) == (council, "MASH-2026-0042")
    assert decision.reference


def test_the_age_that_counts_is_the_age_when_the_events_happened(client, practitioner, recipient):
    child = child_for(practitioner, date_of_birth=_years_ago(13, days=90))  # 13 now
    decision = draft_decision(practitioner, recipient, child=child)
    client.force_login(practitioner)
    client.post(_url(decision, "purpose"), {**SEXUAL_ACTIVITY, **_date("events_on", _years_ago(0, days=180))})
    decision.refresh_from_db()
    assert decision.mandatory_referral  # 12 at the time
    assert client.get(_url(decision, "referral")).status_code == 200
    client.post(_url(decision, "purpose"), {**SEXUAL_ACTIVITY, **_date("events_on", timezone.localdate())})
    decision.refresh_from_db()
    assert not decision.mandatory_referral
    assert client.get(_url(decision, "referral"))["Location"] == reverse(
        "decisions:check", args=[decision.pk]
    )


def test_sexual_activity_needs_the_date_it_happened(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    before = _row(decision)
    response = client.post(_url(decision, "purpose"), SEXUAL_ACTIVITY)
    assert response.status_code == 200
    assert "Enter when the sexual activity happened" in response.content.decode()
    assert _row(decision) == before


# Substance, not punctuation --------------------------------------------------------------------------


def test_dates_in_the_future_are_refused(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    before = _row(decision)
    next_year = timezone.localdate() + timedelta(days=365)
    response = client.post(
        _url(decision, "request"),
        {
            "request_method": "email",
            "requester_name": "Sam Lee",
            "identity_method": "secure_email",
            "identity_checked_against": "The partnership directory",
            "identity_outcome": "confirmed",
            **_date("request_received_on", next_year),
        },
    )
    assert "The date of the request cannot be in the future" in response.content.decode()
    response = client.post(
        _url(decision, "recipient"),
        {
            "information_shared": "Dates of injuries",
            "recipient_agency": recipient.pk,
            "share_method": "secure_email",
            "confirmed_in_writing": "yes",
            **_date("shared_on", timezone.localdate() + timedelta(days=1)),
        },
    )
    assert "The date you share cannot be in the future" in response.content.decode()
    assert _row(decision) == before


@pytest.mark.parametrize(
    ("step", "data", "message"),
    [
        (
            "grounds",
            {"grounds": ["significant_harm_evidence"], "harm_if_shared": ".", "harm_if_not_shared": "."},
            "Say what might happen if the information is shared, in at least 4 different words",
        ),
        (
            "grounds",
            {
                "grounds": ["significant_harm_evidence"],
                "harm_if_shared": "The family may be upset",
                "harm_if_not_shared": "harm harm harm harm",
            },
            "Say what might happen if it is not shared, in at least 4 different words",
        ),
        (
            "request",
            {
                "request_method": "email",
                "requester_name": "Sam Lee",
                "identity_method": "secure_email",
                "identity_checked_against": "The partnership directory",
                "identity_outcome": "confirmed",
                "identity_check": ".",
            },
            "Say more about how you checked who they are",
        ),
        (
            "outcome",
            {"outcome": "do_not_share", "departure_reason": "."},
            "Say why your decision differs from the one suggested, in at least 4 different words",
        ),
    ],
)
def test_reasoning_that_says_nothing_is_refused_with_what_is_missing(
    client, practitioner, recipient, step, data, message
):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    before = _row(decision)
    response = client.post(_url(decision, step), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _row(decision) == before


def test_a_decision_not_to_share_needs_reasons_in_words(client, practitioner, recipient):
    decision = draft_decision(
        practitioner, recipient, other_reason={"other_reasons": []}, outcome={"outcome": "do_not_share"}
    )
    client.force_login(practitioner)
    response = client.post(_url(decision, "no_share"), {"no_share_detriment": "."})
    assert "Say why sharing would be more detrimental to the child" in response.content.decode()


def test_reasoning_stored_without_the_page_is_refused_at_submission(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    services.decision_answer(
        decision=decision,
        step="grounds",
        answers={"grounds": ["significant_harm_evidence"], "harm_if_shared": ".", "harm_if_not_shared": "."},
        by=practitioner,
    )
    client.force_login(practitioner)
    response = _check(client, decision)
    assert response.status_code == 200
    assert "in at least 4 different words" in response.content.decode()
    decision.refresh_from_db()
    assert decision.is_draft


def test_the_identity_check_is_structured_and_a_phone_request_needs_writing(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient)
    client.force_login(practitioner)
    response = client.post(
        _url(decision, "request"), {"request_method": "phone", "requester_name": "Sam Lee"}
    )
    page = response.content.decode()
    for message in (
        "Select how you checked who they are and that they are entitled to the information",
        "Enter what you checked it against",
        "Select the outcome of the check",
        "A request by phone must be confirmed in writing",
    ):
        assert message in page
    response = client.post(
        _url(decision, "request"),
        {
            "request_method": "phone",
            "requester_name": "Sam Lee",
            "identity_method": "call_back",
            "identity_checked_against": "The force switchboard number on its website",
            "identity_outcome": "confirmed",
            "written_confirmation": "follow_up",
        },
    )
    assert response.status_code == 302
    decision.refresh_from_db()
    assert (decision.identity_method, decision.written_confirmation) == ("call_back", "follow_up")


def test_no_share_with_someone_whose_entitlement_was_not_confirmed(client, practitioner, recipient):
    decision = draft_decision(practitioner, recipient, request={"identity_outcome": "identity_only"})
    client.force_login(practitioner)
    response = _check(client, decision)
    assert "You have not confirmed who asked and that they are entitled" in response.content.decode()
    decision.refresh_from_db()
    assert decision.is_draft
