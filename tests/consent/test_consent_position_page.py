"""The child page opens with where consent stands today (issue 12): each current consent or refusal,
who gave it, for what, with whom, until when, and the competence assessment behind a child's own answer."""

import re

import pytest
from django.urls import reverse

from agreements.models import AgencyKind
from consent.services import consent_withdraw
from tests.consent.factories import make_assessment, make_consent
from tests.factories import AgencyFactory, ChildFactory, born_years_ago, days_ago

pytestmark = pytest.mark.django_db


def _summary(client, child) -> str:
    page = client.get(reverse("consent:child_detail", args=[child.pk])).content.decode()
    found = re.search(r'<section class="app-consent-position".*?</section>', page, re.S)
    assert found, "the child page has no consent summary"
    # It opens the page: straight after the child's name.
    assert page.index('id="consent-position"') < page.index("Date of birth")
    return found[0]


def test_the_child_page_opens_with_a_competent_childs_refusal_and_the_parents_consent_it_stops(
    client, practitioner, outsider
):
    police = outsider.agency
    child = ChildFactory(
        created_by=practitioner, given_name="Leah", family_name="Morgan", date_of_birth=born_years_ago(15)
    )
    assessment = make_assessment(child, practitioner, on=days_ago(10))
    make_consent(
        child,
        practitioner,
        answer="refused",
        asked="child",
        assessment=assessment,
        parent_name="",
        parent_relationship="",
        recipients=[police],
        on=days_ago(10),
    )
    make_consent(
        child, practitioner, answer="given", recipients=[police], on=days_ago(2), valid_until=days_ago(-30)
    )
    client.force_login(practitioner)
    summary = _summary(client, child)
    assert "Leah was assessed competent and refused consent" in summary
    assert "Consent refused" in summary and "Leah Morgan (the child)" in summary
    assert "Competence: Competent to decide (sharing information about them), assessed on" in summary
    assert "With: Other Town Police" in summary
    assert "Jo Bloggs (Mother)" in summary and "Does not count" in summary
    assert "Until: No end date recorded" in summary


def test_a_refusal_for_another_purpose_and_another_agencys_records_are_shown(client, practitioner, outsider):
    health = AgencyFactory(name="Northshire NHS Trust", kind=AgencyKind.NHS_TRUST)
    child = ChildFactory(created_by=practitioner)
    make_consent(
        child,
        outsider,
        answer="refused",
        purpose="health_care",
        recipients=[health],
        parent_name="Tom Brook",
        parent_relationship="Father",
        on=days_ago(5),
    )
    given = make_consent(child, practitioner, recipients=[health], on=days_ago(20), valid_until=days_ago(-60))
    consent_withdraw(
        consent=given,
        by=practitioner,
        withdrawn_on=days_ago(1),
        how_obtained="phone",
        discussion_note="Rang.",
    )
    client.force_login(practitioner)
    summary = _summary(client, child)
    assert "Tom Brook (Father)" in summary and "For: Health and care of the child" in summary
    assert "Consent withdrawn" in summary
    assert "Consent given" not in summary  # withdrawn: it no longer stands


def test_with_nothing_recorded_the_page_says_so(client, practitioner):
    child = ChildFactory(created_by=practitioner)
    client.force_login(practitioner)
    assert "No consent or refusal is recorded that stands today" in _summary(client, child)


def test_a_refusal_stays_on_the_page_when_the_same_parent_later_consents_to_something_else(
    client, practitioner, outsider
):
    health = AgencyFactory(name="Northshire NHS Trust", kind=AgencyKind.NHS_TRUST)
    child = ChildFactory(created_by=practitioner)
    make_consent(child, practitioner, answer="refused", recipients=[health], on=days_ago(9))
    make_consent(child, practitioner, answer="given", recipients=[outsider.agency], on=days_ago(3))
    client.force_login(practitioner)
    summary = _summary(client, child)
    assert "Consent refused" in summary and "Consent given" in summary
