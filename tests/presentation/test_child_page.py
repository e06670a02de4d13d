"""The child page leads to every record about the child (issue 16, item 3)."""

import pytest
from django.urls import reverse

from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_the_child_page_offers_to_record_a_decision_consent_or_assessment(client, practitioner):
    child = ChildFactory(created_by=practitioner)
    client.force_login(practitioner)
    page = client.get(reverse("consent:child_detail", args=[child.pk])).content.decode()
    start = f"{reverse('decisions:new')}?child={child.pk}"
    assert start in page
    assert reverse("consent:consent_start", args=[child.pk]) in page
    assert reverse("consent:assessment_start", args=[child.pk]) in page
    chooser = client.get(start).content.decode()
    assert f'<option value="{child.pk}" selected>' in chooser


def test_an_ig_officer_is_not_offered_to_record_a_decision(client, ig_officer):
    child = ChildFactory(created_by=ig_officer)
    client.force_login(ig_officer)
    response = client.get(reverse("consent:child_detail", args=[child.pk]))
    if response.status_code == 200:
        assert reverse("decisions:new") not in response.content.decode()
